package command

import (
	"fmt"
	"sort"
	"strings"
)

// varFlag collects repeated -var key=value flags. A later value for the
// same key wins, as in Packer.
type varFlag map[string]string

// String shows the variables as flag.Value requires, sorted by key.
func (v varFlag) String() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + v[k]
	}
	return strings.Join(parts, ",")
}

// Set adds one key=value.
func (v varFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(key) == "" {
		return fmt.Errorf("-var %q is not key=value; write -var 'name=value'", s)
	}
	v[strings.TrimSpace(key)] = value
	return nil
}

// listFlag is a repeatable, comma-separated list: -only=a,b -only=c is
// [a b c].
type listFlag []string

// String joins the list with commas.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set appends each comma-separated item, skipping empty ones.
func (l *listFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// pathsFlag is a repeatable flag of file paths: -var-file=a.json
// -var-file=b.json, read in order.
type pathsFlag []string

// String joins the paths with commas.
func (p *pathsFlag) String() string { return strings.Join(*p, ",") }

// Set appends one path.
func (p *pathsFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("an empty path; give the file's path")
	}
	*p = append(*p, s)
	return nil
}
