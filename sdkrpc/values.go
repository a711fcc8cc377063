package sdkrpc

import (
	"errors"
	"fmt"
	"math"
	"net/rpc"
	"strings"
)

func (e *BasicError) err() error {
	if e == nil {
		return nil
	}
	return errors.New(e.Message)
}

// wireValue returns v as a plugin should receive it in a configuration or
// build data: JSON's float64 numbers that are whole become integers, as a
// template's numbers reach plugins from Packer, and every map or slice is
// copied. Anything msgpack cannot carry fails the encoding later.
func wireValue(v any) any {
	switch t := v.(type) {
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = wireValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = wireValue(e)
		}
		return out
	}
	return v
}

func wireValues(raws []any) []any {
	out := make([]any, len(raws))
	for i, r := range raws {
		out[i] = wireValue(r)
	}
	return out
}

// callFailed says what a failed call means: a context that ended is the
// cause (so errors.Is tells a cancelled call from a failed one); a
// connection that broke is said with what the process did, through
// explain.
func callFailed(what string, err error, ctxErr error, explain func(error) error) error {
	if err == nil {
		return nil
	}
	var server rpc.ServerError
	remote := errors.As(err, &server)
	if !remote && explain != nil {
		err = explain(err)
	}
	if ctxErr != nil {
		// The plugin's own message usually ends with the same "context
		// canceled": said once.
		msg := strings.TrimSuffix(strings.TrimSuffix(err.Error(), ctxErr.Error()), ": ")
		if msg == "" {
			return fmt.Errorf("%s: %w", what, ctxErr)
		}
		return fmt.Errorf("%s: %s: %w", what, msg, ctxErr)
	}
	if remote {
		return errors.New(string(server))
	}
	return fmt.Errorf("%s: %w", what, err)
}
