package interpolate

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// FunctionNames lists the template functions, sorted, for help and error
// messages.
func FunctionNames() []string {
	funcs := (&Context{}).funcs()
	names := make([]string, 0, len(funcs))
	for name := range funcs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// funcs returns the template functions bound to ctx. Each error names its
// function and says what to do, because the person reading it wrote the
// action.
func (ctx *Context) funcs() template.FuncMap {
	return template.FuncMap{
		"user": func(name string) (string, error) {
			v, ok := ctx.UserVariables[name]
			switch {
			case ok:
				return v, nil
			case ctx.StrictUserVariables:
				return "", &UndefinedVariableError{Name: name}
			}
			ctx.warn(fmt.Sprintf("{{user `%s`}}: no variable %q is declared under \"variables\" or given with -var, so it renders as \"\", as in Packer; declare it or fix the name", name, name))
			return "", nil
		},
		"env": func(name string) (string, error) {
			if !ctx.EnableEnv {
				return "", fmt.Errorf("env: {{env `%s`}} can only be used in \"variables\"; declare a variable with it as its default and use {{user `that_variable`}} here", name)
			}
			return os.Getenv(name), nil
		},
		"timestamp": func() string { return strconv.FormatInt(ctx.now().Unix(), 10) },
		"isotime": func(layout ...string) (string, error) {
			switch len(layout) {
			case 0:
				return ctx.now().Format(time.RFC3339), nil
			case 1:
				return ctx.now().Format(layout[0]), nil
			}
			return "", fmt.Errorf("isotime: takes at most one layout, in Go's reference-time form like {{isotime `2006-01-02`}}; got %d arguments", len(layout))
		},
		"uuid":       newUUID,
		"build_name": func() string { return ctx.BuildName },
		"build_type": func() string { return ctx.BuildType },
		"build": func(key string) (string, error) {
			if ctx.BuildData == nil {
				// Render keeps build actions for later; this is reached only
				// by a build call nested where that cannot be done.
				return "", fmt.Errorf("build: {{build `%s`}} is only known once the builder has run; use it in a provisioner or post-processor", key)
			}
			v, ok := ctx.BuildData[key]
			if !ok {
				ctx.warn(fmt.Sprintf("{{build `%s`}}: the builder shared no value %q (it shared %s), so it renders as %q, as in Packer", key, key, sortedKeys(ctx.BuildData), NoValue))
				return NoValue, nil
			}
			return fmt.Sprint(v), nil
		},
		"pwd": func() (string, error) {
			wd, err := os.Getwd()
			if err != nil {
				return "", fmt.Errorf("pwd: %w", err)
			}
			return wd, nil
		},
		"template_dir": func() (string, error) {
			if ctx.TemplatePath == "" {
				return "", errors.New("template_dir: the template was not read from a file, so it has no directory; read it from a file or use {{pwd}}")
			}
			dir, err := filepath.Abs(filepath.Dir(ctx.TemplatePath))
			if err != nil {
				return "", fmt.Errorf("template_dir: %w", err)
			}
			return dir, nil
		},
		"split": func(s, sep string, i int) (string, error) {
			parts := strings.Split(s, sep)
			if i < 0 || i >= len(parts) {
				return "", fmt.Errorf("split: %q split on %q has %d parts (0 to %d); index %d is out of range", s, sep, len(parts), len(parts)-1, i)
			}
			return parts[i], nil
		},
		// The string comes last so that it can be piped in:
		// {{ user `name` | replace `-` `_` 1 }}.
		"replace":        func(old, new string, n int, s string) string { return strings.Replace(s, old, new, n) },
		"replace_all":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"lower":          strings.ToLower,
		"upper":          strings.ToUpper,
		"packer_version": func() string { return ctx.PackerVersion },
	}
}

// NoValue is what {{build `x`}} renders for a value the builder did not
// share: text/template's rendering of a missing value, which Packer shows.
const NoValue = "<no value>"

func (ctx *Context) warn(message string) {
	if ctx.Warn != nil {
		ctx.Warn(message)
	}
}

func (ctx *Context) now() time.Time {
	if ctx.Now.IsZero() {
		return time.Now().UTC()
	}
	return ctx.Now.UTC()
}

func sortedKeys(m map[string]any) string {
	if len(m) == 0 {
		return "nothing"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
