package interpolate

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"
)

// Context is what the template functions see during one render.
type Context struct {
	// Data is the value of {{ .Field }}: a component's own values. When it
	// is nil, every action that reads it is left in place for the
	// component's own render later.
	Data any

	// UserVariables are the resolved variables for {{user `name`}}. A
	// name without a value renders "" as in Packer (with a warning, see
	// Warn), unless StrictUserVariables is set.
	UserVariables map[string]string
	// StrictUserVariables makes {{user `name`}} of a name without a value
	// an *UndefinedVariableError: how variables are resolved, as Packer
	// treats a variable used in another's default as required.
	StrictUserVariables bool
	// SensitiveVariables names the variables whose values are masked in
	// output. Rendering does not use it; it travels with the context so
	// whoever renders for output knows what to mask.
	SensitiveVariables []string

	// EnableEnv allows {{env `X`}}. As in Packer, only variables (their
	// defaults and given values) may read the environment, so that a
	// template says in one place which environment it depends on.
	EnableEnv bool

	// BuildName and BuildType are the build being rendered for, for
	// {{build_name}} and {{build_type}}.
	BuildName, BuildType string

	// BuildData is what the builder shared (e.g. {"ID": "Null"}) for
	// {{build `ID`}}. When nil, actions that call build are left in place
	// for a render after the builder has run. A key the builder did not
	// share renders "<no value>", as in Packer, with a warning (see Warn).
	BuildData map[string]any

	// Warn, when set, receives a warning for each action that renders as
	// Packer renders it though it is most likely a mistake: {{user `x`}}
	// of a variable nobody declared or gave, {{build `x`}} of a value the
	// builder did not share. RenderInterface puts the key path of the
	// string in front ("inline[0]: ").
	Warn func(message string)

	// TemplatePath is the template's file, for {{template_dir}}.
	TemplatePath string
	// PackerVersion is the running version, for {{packer_version}}.
	PackerVersion string

	// Now is the time of the run: every {{timestamp}} and {{isotime}} of a
	// run must agree, so the core sets it once. Zero means the moment of
	// each call, which is only right for a one-off render.
	Now time.Time
}

// Render renders the template functions in s. Actions that need what ctx
// does not have yet (Data, BuildData) are kept as written for a later
// render. A nil ctx is an empty Context.
func Render(s string, ctx *Context) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	if ctx == nil {
		ctx = &Context{}
	}
	tpl, err := template.New("").Option("missingkey=error").Funcs(ctx.funcs()).Parse(s)
	if err != nil {
		return "", parseError(s, err)
	}
	kept := deferUnknowns(tpl.Tree, s, deferRules{data: ctx.Data == nil, build: ctx.BuildData == nil})
	var out bytes.Buffer
	if err := tpl.Execute(&out, ctx.Data); err != nil {
		return "", execError(s, err)
	}
	return restoreDeferred(out.String(), kept), nil
}

// RenderInterface renders every string in v: a string, or the maps and
// slices of them that JSON decoding yields. Other values are returned as
// they are. Errors name the key path ("inline[1]: ...") of the string that
// failed.
func RenderInterface(v any, ctx *Context) (any, error) {
	return renderValue(v, ctx, "")
}

func renderValue(v any, ctx *Context, path string) (any, error) {
	switch t := v.(type) {
	case string:
		if ctx != nil && ctx.Warn != nil && path != "" {
			local, warn := *ctx, ctx.Warn
			local.Warn = func(m string) { warn(path + ": " + m) }
			ctx = &local
		}
		r, err := Render(t, ctx)
		if err != nil && path != "" {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return r, err
	case map[string]any:
		out := make(map[string]any, len(t))
		// Sorted, so that the first error reported is always the same one.
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r, err := renderValue(t[k], ctx, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			r, err := renderValue(item, ctx, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case []string:
		out := make([]string, len(t))
		for i, item := range t {
			r, err := renderValue(item, ctx, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = r.(string)
		}
		return out, nil
	}
	return v, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// UndefinedVariableError is the error of {{user `name`}} for a variable
// that has no value, under Context.StrictUserVariables. Callers that
// resolve variables in dependency order test for it with errors.As.
type UndefinedVariableError struct {
	Name string
}

// Error says which variable and how to give it a value.
func (e *UndefinedVariableError) Error() string {
	return fmt.Sprintf("user variable %q is not defined; declare it under \"variables\" in the template or pass -var %s=VALUE", e.Name, e.Name)
}

// parseError rewrites text/template's parse errors for template authors.
func parseError(s string, err error) error {
	msg := cleanMessage(err.Error())
	if name, ok := strings.CutPrefix(msg, "function \""); ok {
		name, _, _ = strings.Cut(name, "\"")
		return fmt.Errorf("in %q: unknown template function %q; the functions are %s", s, name, strings.Join(FunctionNames(), ", "))
	}
	return fmt.Errorf("in %q: %s (template actions are written like {{user `name`}})", s, msg)
}

// execError keeps the function's own error (for errors.As) and drops
// text/template's internal naming.
func execError(s string, err error) error {
	var execErr template.ExecError
	if errors.As(err, &execErr) {
		if inner := errors.Unwrap(execErr.Err); inner != nil {
			return fmt.Errorf("in %q: %w", s, inner)
		}
	}
	return fmt.Errorf("in %q: %s", s, cleanMessage(err.Error()))
}

// textTemplatePrefix is text/template's "template: NAME:LINE:COL: " and
// "executing "NAME" at <ACTION>: " lead-in, which names nothing the template
// author wrote. It is compiled on first use, not at init: every plugin links
// this package, and only an error needs it.
var textTemplatePrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^template: [^:]*:\d+(:\d+)?: (executing "[^"]*" at <.*?>: )?`)
})

// cleanMessage drops text/template's prefix from an error message.
func cleanMessage(msg string) string {
	return textTemplatePrefix().ReplaceAllString(msg, "")
}
