package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/go-multierror"
)

// prefixEach puts where before each of err's problems, so that each line
// of the final report says where it is.
func prefixEach(where string, err error) error {
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		return fmt.Errorf("%s: %w", where, err)
	}
	var out *multierror.Error
	for _, e := range merr.Errors {
		out = multierror.Append(out, fmt.Errorf("%s: %w", where, e))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonKind names the JSON type of a decoded value, for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonText shows a decoded value as it was written.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
