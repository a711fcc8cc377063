// Package interpolate renders the template functions Packer users write in
// template strings: {{user `name`}}, {{timestamp}}, {{build `ID`}} and the
// rest. Component-level fields such as {{ .Path }} in an execute_command
// are left for the component to render.
package interpolate

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Context is what template functions see.
type Context struct {
	// Data is the value of {{ .Field }}; when nil, such fields are left in
	// place for a later render.
	Data any

	UserVariables      map[string]string
	SensitiveVariables []string

	// EnableEnv allows {{env `X`}}; as in Packer, only variable defaults may
	// read the environment.
	EnableEnv bool

	BuildName, BuildType string

	// BuildData is what the builder shared (e.g. {"ID": "Null"}) for
	// {{build `ID`}}; when nil, build references are left in place for a
	// render after the builder has run.
	BuildData map[string]any

	TemplatePath  string // for template_dir
	PackerVersion string

	// Now is the time of the run, the same for every {{timestamp}} and
	// {{isotime}}; zero means the moment of rendering.
	Now time.Time
}

// dotAction matches an action that only reads a field of Data.
var dotAction = regexp.MustCompile(`\{\{-?\s*\.[A-Za-z_][A-Za-z0-9_.]*\s*-?\}\}`)

// Render renders the template functions in s.
func Render(s string, ctx *Context) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	if ctx == nil {
		ctx = &Context{}
	}
	var kept []string
	if ctx.Data == nil {
		s = dotAction.ReplaceAllStringFunc(s, func(action string) string {
			kept = append(kept, action)
			return fmt.Sprintf("\x00%d\x00", len(kept)-1)
		})
	}
	tpl, err := template.New("").Option("missingkey=error").Funcs(ctx.funcs()).Parse(s)
	if err != nil {
		return "", fmt.Errorf("in %q: %w", s, cleanError(err))
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, ctx.Data); err != nil {
		return "", fmt.Errorf("in %q: %w", s, cleanError(err))
	}
	rendered := out.String()
	for i, action := range kept {
		rendered = strings.Replace(rendered, fmt.Sprintf("\x00%d\x00", i), action, 1)
	}
	return rendered, nil
}

// cleanError drops text/template's internal naming from an error.
func cleanError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	msg = strings.TrimPrefix(msg, ":")
	return fmt.Errorf("%s", strings.TrimSpace(msg))
}

// RenderInterface renders every string in v: a string, or maps and slices
// of them, as JSON decoding yields.
func RenderInterface(v any, ctx *Context) (any, error) {
	switch t := v.(type) {
	case string:
		return Render(t, ctx)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, item := range t {
			r, err := RenderInterface(item, ctx)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			r, err := RenderInterface(item, ctx)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case []string:
		out := make([]string, len(t))
		for i, item := range t {
			r, err := Render(item, ctx)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (ctx *Context) now() time.Time {
	if ctx.Now.IsZero() {
		return time.Now().UTC()
	}
	return ctx.Now.UTC()
}

func (ctx *Context) funcs() template.FuncMap {
	return template.FuncMap{
		"user": func(name string) (string, error) {
			v, ok := ctx.UserVariables[name]
			if !ok {
				return "", fmt.Errorf("user variable %q is not defined; declare it under \"variables\" or pass -var %s=VALUE", name, name)
			}
			return v, nil
		},
		"env": func(name string) (string, error) {
			if !ctx.EnableEnv {
				return "", fmt.Errorf("env can only be used in the default value of a variable; declare a variable with {{env `%s`}} as its default and use {{user `NAME`}} here", name)
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
			return "", fmt.Errorf("isotime takes at most one layout, got %d", len(layout))
		},
		"uuid":       newUUID,
		"build_name": func() string { return ctx.BuildName },
		"build_type": func() string { return ctx.BuildType },
		"build": func(key string) (any, error) {
			if ctx.BuildData == nil {
				// Not known until the builder has run: kept for then.
				return "{{ build `" + key + "` }}", nil
			}
			v, ok := ctx.BuildData[key]
			if !ok {
				return "", fmt.Errorf("the builder shared no build value %q", key)
			}
			return v, nil
		},
		"pwd": func() (string, error) { return os.Getwd() },
		"template_dir": func() (string, error) {
			if ctx.TemplatePath == "" {
				return "", fmt.Errorf("template_dir is only known for a template read from a file")
			}
			return filepath.Abs(filepath.Dir(ctx.TemplatePath))
		},
		"split": func(s, sep string, i int) (string, error) {
			parts := strings.Split(s, sep)
			if i < 0 || i >= len(parts) {
				return "", fmt.Errorf("split: %q has %d parts when split on %q; index %d is out of range", s, len(parts), sep, i)
			}
			return parts[i], nil
		},
		"replace":        func(old, new string, n int, s string) string { return strings.Replace(s, old, new, n) },
		"replace_all":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"lower":          strings.ToLower,
		"upper":          strings.ToUpper,
		"packer_version": func() string { return ctx.PackerVersion },
	}
}

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
