package template

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// ReadVarFile reads a -var-file: a JSON object of variable name to value.
func ReadVarFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading var file: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("var file %s: %s", path, jsonError(data, err))
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch t := v.(type) {
		case string:
			out[k] = t
		case float64, bool:
			out[k] = fmt.Sprint(t)
		default:
			return nil, fmt.Errorf("var file %s: %q must be a string, number or boolean", path, k)
		}
	}
	return out, nil
}

// ResolveVariables returns the value of every variable: given values (from
// var files and -var, already merged, later winning) over the rendered
// defaults. Defaults may read the environment and earlier variables; a
// required variable without a value, and a value for a variable the
// template does not declare, are errors naming each.
func (t *Template) ResolveVariables(given map[string]string, ctx *interpolate.Context) (map[string]string, error) {
	name := t.Path
	if name == "" {
		name = "template"
	}
	var errs *multierror.Error
	var undeclared []string
	for k := range given {
		if _, ok := t.Variables[k]; !ok {
			undeclared = append(undeclared, k)
		}
	}
	sort.Strings(undeclared)
	for _, k := range undeclared {
		errs = multierror.Append(errs, fmt.Errorf("%s: a value was given for variable %q, which the template does not declare under \"variables\"", name, k))
	}

	values := make(map[string]string, len(t.Variables))
	render := interpolate.Context{}
	if ctx != nil {
		render = *ctx
	}
	render.EnableEnv = true
	render.UserVariables = values
	// Defaults may refer to other variables; render in name order, retrying
	// those that refer to one not yet rendered.
	pending := make([]string, 0, len(t.Variables))
	for k := range t.Variables {
		pending = append(pending, k)
	}
	sort.Strings(pending)
	for len(pending) > 0 {
		var next []string
		var lastErr = map[string]error{}
		for _, k := range pending {
			v := t.Variables[k]
			if value, ok := given[k]; ok {
				values[k] = value
				continue
			}
			if v.Required {
				errs = multierror.Append(errs, fmt.Errorf("%s: required variable %q has no value; pass -var %s=VALUE or put it in a -var-file", name, k, k))
				continue
			}
			rendered, err := interpolate.Render(v.Default, &render)
			if err != nil {
				next = append(next, k)
				lastErr[k] = err
				continue
			}
			values[k] = rendered
		}
		if len(next) == len(pending) {
			for _, k := range next {
				errs = multierror.Append(errs, fmt.Errorf("%s: variable %q: %v", name, k, lastErr[k]))
			}
			break
		}
		pending = next
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return values, nil
}

// SensitiveValues returns the values of the sensitive variables, for masking.
func (t *Template) SensitiveValues(values map[string]string) []string {
	var out []string
	for _, k := range t.SensitiveVariables {
		if v := values[k]; strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}
