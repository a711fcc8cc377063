package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// ReadVarFile reads a -var-file: a JSON object of variable name to value.
// Values are strings; numbers and booleans are taken as their text, as
// every variable's value is a string. Errors name the file, and the line
// and column of malformed JSON.
func ReadVarFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading var file: %w", err)
	}
	defer f.Close()
	name := "var file " + path
	data, err := readLimited(f, name)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err, `a var file is a JSON object like {"name": "value"}`))
	}
	offsets, err := scanObject(data, name)
	if err != nil {
		return nil, err
	}
	var errs *multierror.Error
	out := make(map[string]string, len(raw))
	for _, k := range sortedKeys(raw) {
		var value any
		_ = json.Unmarshal(raw[k], &value) // valid: the whole file decoded
		switch v := value.(type) {
		case string:
			out[k] = v
		case float64, bool:
			out[k] = string(raw[k])
		default:
			errs = multierror.Append(errs, fmt.Errorf("%s: line %d: variable %q must be a string, not %s", name, lineOf(data, offsets[k]), k, jsonKind(value)))
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveVariables returns the value of every variable, as Packer resolves
// them: the given values (from -var-file and -var, merged by the caller,
// later winning) over the declared defaults, then each rendered with the
// template functions, the environment allowed ({{env `HOME`}}) and each
// able to use the others ({{user `name`}}) in any order, as long as they
// do not refer to each other in a circle. Actions that need a build
// ({{ .HTTPIP }}, {{build `ID`}}) are kept for the render of each
// component.
//
// Values given for variables the template does not declare are kept too,
// as in Packer (see UndeclaredVariables to warn about them).
//
// ctx supplies the rest of the render context (Now, TemplatePath,
// PackerVersion); nil is an empty one. Every problem is reported at once:
// all required variables without a value in one error naming each, and
// each default or value that does not render.
func (t *Template) ResolveVariables(given map[string]string, ctx *interpolate.Context) (map[string]string, error) {
	var errs *multierror.Error
	unrendered := make(map[string]string, len(t.Variables)+len(given))
	var missing []string
	for k, v := range t.Variables {
		switch value, ok := given[k]; {
		case ok:
			unrendered[k] = value
		case v.Required:
			missing = append(missing, k)
		default:
			unrendered[k] = v.Default
		}
	}
	for k, v := range given {
		unrendered[k] = v
	}
	if len(missing) > 0 {
		errs = multierror.Append(errs, t.missingError(missing))
	}

	values := make(map[string]string, len(unrendered))
	render := interpolate.Context{}
	if ctx != nil {
		render = *ctx
	}
	render.EnableEnv = true
	render.StrictUserVariables = true
	render.UserVariables = values
	render.Data = nil
	render.BuildData = nil

	// Render in passes: a value that uses a variable not rendered yet
	// waits for a later pass. A pass that settles nothing means the rest
	// refer to each other in a circle. A value that uses one that failed
	// fails quietly: the first failure is the one to fix.
	pending := sortedKeys(unrendered)
	failed := map[string]bool{}
	for _, k := range missing {
		failed[k] = true
	}
	for len(pending) > 0 {
		var waiting []string
		waitsFor := map[string]string{}
		for _, k := range pending {
			rendered, err := interpolate.Render(unrendered[k], &render)
			var undefined *interpolate.UndefinedVariableError
			switch {
			case err == nil:
				values[k] = rendered
			case errors.As(err, &undefined) && failed[undefined.Name]:
				failed[k] = true
			case errors.As(err, &undefined) && hasKey(unrendered, undefined.Name):
				waiting = append(waiting, k)
				waitsFor[k] = undefined.Name
			case errors.As(err, &undefined):
				failed[k] = true
				errs = multierror.Append(errs, fmt.Errorf("%s: variable %q uses {{user `%s`}}, but no variable %q is declared under \"variables\" or given with -var; declare it or fix the name", t.name(), k, undefined.Name, undefined.Name))
			default:
				failed[k] = true
				errs = multierror.Append(errs, fmt.Errorf("%s: variable %q: %w", t.name(), k, err))
			}
		}
		if len(waiting) == len(pending) {
			errs = multierror.Append(errs, circleError(t.name(), waiting, waitsFor))
			break
		}
		pending = waiting
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return values, nil
}

func (t *Template) missingError(missing []string) error {
	sort.Strings(missing)
	quoted := make([]string, len(missing))
	flags := make([]string, len(missing))
	for i, k := range missing {
		quoted[i] = fmt.Sprintf("%q", k)
		flags[i] = fmt.Sprintf("-var %s=VALUE", k)
	}
	if len(missing) == 1 {
		return fmt.Errorf("%s: required variable %s has no value; pass %s or put it in a -var-file", t.name(), quoted[0], flags[0])
	}
	return fmt.Errorf("%s: required variables %s have no value; pass %s or put them in a -var-file", t.name(), strings.Join(quoted, ", "), strings.Join(flags, " "))
}

// circleError names the variables that wait on each other.
func circleError(name string, waiting []string, waitsFor map[string]string) error {
	links := make([]string, len(waiting))
	for i, k := range waiting {
		links[i] = fmt.Sprintf("%q uses %q", k, waitsFor[k])
	}
	return fmt.Errorf("%s: variables refer to each other in a circle, so none of them has a value (%s); make one of them a plain value", name, strings.Join(links, ", "))
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// UndeclaredVariables returns, sorted, the names in given that the template
// does not declare: Packer accepts them (a var file may serve several
// templates), but a misspelt -var is worth a warning.
func (t *Template) UndeclaredVariables(given map[string]string) []string {
	var out []string
	for k := range given {
		if _, ok := t.Variables[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// SensitiveValues returns the values of the sensitive variables among
// values (as ResolveVariables returns them), for masking in output. Blank
// values are left out: masking every space would garble all output.
func (t *Template) SensitiveValues(values map[string]string) []string {
	var out []string
	for _, k := range t.SensitiveVariables {
		if v := values[k]; strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// SensitiveValuesAsWritten returns the values of the sensitive variables
// before they are resolved: the given value, else the default as written.
// It is what can be masked when resolving failed, or when nothing is
// resolved at all (packer inspect); blank values are left out, as in
// SensitiveValues.
func (t *Template) SensitiveValuesAsWritten(given map[string]string) []string {
	values := make(map[string]string, len(t.Variables)+len(given))
	for k, v := range t.Variables {
		values[k] = v.Default
	}
	for k, v := range given {
		values[k] = v
	}
	return t.SensitiveValues(values)
}
