// Package template reads Packer's JSON template format: the builds a
// template declares, the provisioners and post-processors that follow them,
// and the variables users fill in. It knows nothing of components or of how
// builds run; package packer's Core does that with what this package reads.
package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-viper/mapstructure/v2"
	"github.com/hashicorp/go-multierror"
	"github.com/hashicorp/go-version"
)

// MaxSize is the largest template read: far above any real template, low
// enough that a wrong file (a disk image) is an error, not an allocation.
const MaxSize = 16 << 20

// Template is a parsed template.
type Template struct {
	// Path is the file the template was read from ("" when parsed from a
	// reader); template_dir and error messages use it.
	Path string

	Description string
	MinVersion  string // min_packer_version

	Variables          map[string]*Variable
	SensitiveVariables []string // names listed in "sensitive-variables"

	// Builders by build name: the builder's "name", else its "type".
	Builders       map[string]*Builder
	Provisioners   []*Provisioner
	PostProcessors [][]*PostProcessor // each inner slice is one chain

	// RequiredPlugins are the plugins the template needs, by name, with
	// the versions that will do and where to install them from.
	RequiredPlugins map[string]*RequiredPlugin

	RawContents []byte
}

// RequiredPlugin is one entry of "required_plugins".
type RequiredPlugin struct {
	Name string
	// Version is a constraint in hashicorp/go-version syntax
	// (">= 1.2, < 2.0"); empty means any.
	Version string `json:"version"`
	// Source is the catalog to install it from (see packer plugins -h).
	Source string `json:"source"`
}

// Variable is a user variable and its default.
type Variable struct {
	Key      string
	Default  string
	Required bool // declared with a null default: the user must give it
}

// Builder is one build's builder.
type Builder struct {
	Name   string
	Type   string
	Config map[string]any // without "name" and "type"
}

// Provisioner is one provisioner and the keys the core handles for it.
type Provisioner struct {
	Type        string
	Config      map[string]any // without the keys below
	Override    map[string]any // build name -> config merged over Config for that build
	PauseBefore time.Duration
	Timeout     time.Duration
	MaxRetries  int
	OnlyExcept
}

// PostProcessor is one post-processor of a chain.
type PostProcessor struct {
	Name              string
	Type              string
	KeepInputArtifact *bool
	Config            map[string]any // without the keys above and only/except
	OnlyExcept
}

// OnlyExcept limits a provisioner or post-processor to some builds.
type OnlyExcept struct {
	Only   []string
	Except []string
}

// Skip reports whether the component does not run for build name.
func (o *OnlyExcept) Skip(name string) bool {
	if len(o.Only) > 0 {
		for _, n := range o.Only {
			if n == name {
				return false
			}
		}
		return true
	}
	for _, n := range o.Except {
		if n == name {
			return true
		}
	}
	return false
}

// ParseFile reads and parses the template at path. Errors name the file.
func ParseFile(path string) (*Template, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading template: %w", err)
	}
	defer f.Close()
	t, err := parse(f, path)
	if err != nil {
		return nil, err
	}
	t.Path = path
	return t, nil
}

// Parse parses a template from r.
func Parse(r io.Reader) (*Template, error) { return parse(r, "template") }

// rawTemplate is the JSON shape of a template.
type rawTemplate struct {
	Description        string                     `json:"description"`
	MinVersion         string                     `json:"min_packer_version"`
	Variables          map[string]*string         `json:"variables"`
	SensitiveVariables []string                   `json:"sensitive-variables"`
	Builders           []map[string]any           `json:"builders"`
	Provisioners       []map[string]any           `json:"provisioners"`
	PostProcessors     []any                      `json:"post-processors"`
	Push               map[string]any             `json:"push"`
	RequiredPlugins    map[string]*RequiredPlugin `json:"required_plugins"`
}

var topLevelKeys = map[string]bool{
	"description": true, "min_packer_version": true, "variables": true,
	"sensitive-variables": true, "builders": true, "provisioners": true,
	"post-processors": true, "push": true, "required_plugins": true,
}

func parse(r io.Reader, name string) (*Template, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d MiB; is it really a template?", name, MaxSize>>20)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: not UTF-8 text; a template is JSON", name)
	}

	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err))
	}
	var errs *multierror.Error
	var unknown []string
	for k := range top {
		if !topLevelKeys[k] && !strings.HasPrefix(k, "_") {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = multierror.Append(errs, fmt.Errorf("%s: unknown top-level key %q (the keys are builders, provisioners, post-processors, variables, sensitive-variables, description, min_packer_version, required_plugins; keys starting with _ are comments)", name, k))
	}

	var raw rawTemplate
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err))
	}
	t := &Template{
		Description:        raw.Description,
		MinVersion:         raw.MinVersion,
		Variables:          map[string]*Variable{},
		SensitiveVariables: raw.SensitiveVariables,
		Builders:           map[string]*Builder{},
		RawContents:        data,
	}
	for k, v := range raw.Variables {
		variable := &Variable{Key: k, Required: v == nil}
		if v != nil {
			variable.Default = *v
		}
		t.Variables[k] = variable
	}
	for _, s := range raw.SensitiveVariables {
		if _, ok := t.Variables[s]; !ok {
			errs = multierror.Append(errs, fmt.Errorf("%s: sensitive-variables: %q is not a declared variable", name, s))
		}
	}

	t.RequiredPlugins = map[string]*RequiredPlugin{}
	for pluginName, req := range raw.RequiredPlugins {
		if req == nil {
			req = &RequiredPlugin{}
		}
		req.Name = pluginName
		if req.Version != "" {
			if _, err := version.NewConstraint(req.Version); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: required_plugins.%s.version: %q is not a version constraint (e.g. \">= 1.2, < 2.0\")", name, pluginName, req.Version))
			}
		}
		t.RequiredPlugins[pluginName] = req
	}

	for i, b := range raw.Builders {
		where := fmt.Sprintf("%s: builder %d", name, i+1)
		builder, err := parseBuilder(b)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		if _, dup := t.Builders[builder.Name]; dup {
			errs = multierror.Append(errs, fmt.Errorf("%s: a build named %q is declared twice; give one of them a different \"name\"", where, builder.Name))
			continue
		}
		t.Builders[builder.Name] = builder
	}

	for i, p := range raw.Provisioners {
		where := fmt.Sprintf("%s: provisioner %d", name, i+1)
		prov, err := parseProvisioner(p)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		t.Provisioners = append(t.Provisioners, prov)
	}

	for i, chain := range raw.PostProcessors {
		where := fmt.Sprintf("%s: post-processor %d", name, i+1)
		parsed, err := parsePostProcessorChain(chain)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		t.PostProcessors = append(t.PostProcessors, parsed)
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return t, nil
}

// jsonError describes a JSON error with its line and column.
func jsonError(data []byte, err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var offset int64
	switch {
	case errors.As(err, &syntax):
		// Offset counts the offending byte; point at it.
		offset = max(syntax.Offset-1, 0)
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
		if typeErr.Field != "" {
			return fmt.Sprintf("line %d, column %d: %q must be %s, not a JSON %s", lineOf(data, offset), columnOf(data, offset), typeErr.Field, describeType(typeErr.Type.String()), typeErr.Value)
		}
	default:
		return err.Error()
	}
	return fmt.Sprintf("line %d, column %d: malformed JSON: %v", lineOf(data, offset), columnOf(data, offset), err)
}

func describeType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "an object"
	case t == "string" || t == "*string":
		return "a string"
	}
	return "a " + t
}

func lineOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

func columnOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	start := bytes.LastIndexByte(data[:offset], '\n') + 1
	return int(offset) - start + 1
}

func parseBuilder(raw map[string]any) (*Builder, error) {
	config := withoutComments(raw)
	typ, err := takeString(config, "type")
	if err != nil {
		return nil, err
	}
	if typ == "" {
		return nil, errors.New(`missing "type": every builder says which builder it uses, e.g. "type": "null"`)
	}
	name, err := takeString(config, "name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = typ
	}
	return &Builder{Name: name, Type: typ, Config: config}, nil
}

func parseProvisioner(raw map[string]any) (*Provisioner, error) {
	config := withoutComments(raw)
	p := &Provisioner{}
	var errs *multierror.Error
	var err error
	if p.Type, err = takeString(config, "type"); err != nil {
		errs = multierror.Append(errs, err)
	} else if p.Type == "" {
		errs = multierror.Append(errs, errors.New(`missing "type": every provisioner says which provisioner it uses, e.g. "type": "shell"`))
	}
	if p.OnlyExcept, err = takeOnlyExcept(config); err != nil {
		errs = multierror.Append(errs, err)
	}
	if v, ok := config["override"]; ok {
		delete(config, "override")
		override, ok := v.(map[string]any)
		if !ok {
			errs = multierror.Append(errs, errors.New(`"override" must be an object of build name to configuration`))
		}
		p.Override = override
	}
	for _, d := range []struct {
		key string
		to  *time.Duration
	}{{"pause_before", &p.PauseBefore}, {"timeout", &p.Timeout}} {
		if v, ok := config[d.key]; ok {
			delete(config, d.key)
			s, _ := v.(string)
			parsed, err := time.ParseDuration(s)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%q: %v is not a duration; use a value like \"30s\" or \"5m\"", d.key, v))
			}
			*d.to = parsed
		}
	}
	if v, ok := config["max_retries"]; ok {
		delete(config, "max_retries")
		if err := mapstructure.WeakDecode(v, &p.MaxRetries); err != nil {
			errs = multierror.Append(errs, fmt.Errorf(`"max_retries": %v is not a number`, v))
		}
	}
	p.Config = config
	return p, errs.ErrorOrNil()
}

func parsePostProcessorChain(raw any) ([]*PostProcessor, error) {
	switch v := raw.(type) {
	case []any:
		var chain []*PostProcessor
		var errs *multierror.Error
		for i, item := range v {
			if _, nested := item.([]any); nested {
				errs = multierror.Append(errs, fmt.Errorf("step %d: a sequence cannot hold another sequence", i+1))
				continue
			}
			pp, err := parsePostProcessor(item)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("step %d: %w", i+1, err))
				continue
			}
			chain = append(chain, pp)
		}
		return chain, errs.ErrorOrNil()
	default:
		pp, err := parsePostProcessor(v)
		if err != nil {
			return nil, err
		}
		return []*PostProcessor{pp}, nil
	}
}

func parsePostProcessor(raw any) (*PostProcessor, error) {
	switch v := raw.(type) {
	case string:
		return &PostProcessor{Name: v, Type: v, Config: map[string]any{}}, nil
	case map[string]any:
		config := withoutComments(v)
		pp := &PostProcessor{}
		var errs *multierror.Error
		var err error
		if pp.Type, err = takeString(config, "type"); err != nil {
			errs = multierror.Append(errs, err)
		} else if pp.Type == "" {
			errs = multierror.Append(errs, errors.New(`missing "type": every post-processor says which post-processor it uses, e.g. "type": "manifest"`))
		}
		if pp.Name, err = takeString(config, "name"); err != nil {
			errs = multierror.Append(errs, err)
		}
		if pp.Name == "" {
			pp.Name = pp.Type
		}
		if pp.OnlyExcept, err = takeOnlyExcept(config); err != nil {
			errs = multierror.Append(errs, err)
		}
		if k, ok := config["keep_input_artifact"]; ok {
			delete(config, "keep_input_artifact")
			var keep bool
			if err := mapstructure.WeakDecode(k, &keep); err != nil {
				errs = multierror.Append(errs, fmt.Errorf(`"keep_input_artifact": %v is not true or false`, k))
			}
			pp.KeepInputArtifact = &keep
		}
		pp.Config = config
		return pp, errs.ErrorOrNil()
	}
	return nil, fmt.Errorf("a post-processor is a name, an object with a \"type\", or a list of those; not %v", raw)
}

// withoutComments copies a component's keys, leaving out "_comment"-style
// keys.
func withoutComments(raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

func takeString(config map[string]any, key string) (string, error) {
	v, ok := config[key]
	if !ok {
		return "", nil
	}
	delete(config, key)
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q must be a string, not %v", key, v)
	}
	return s, nil
}

func takeOnlyExcept(config map[string]any) (OnlyExcept, error) {
	var oe OnlyExcept
	var errs *multierror.Error
	for _, f := range []struct {
		key string
		to  *[]string
	}{{"only", &oe.Only}, {"except", &oe.Except}} {
		v, ok := config[f.key]
		if !ok {
			continue
		}
		delete(config, f.key)
		if err := mapstructure.Decode(v, f.to); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%q must be a list of build names", f.key))
		}
	}
	if len(oe.Only) > 0 && len(oe.Except) > 0 {
		errs = multierror.Append(errs, errors.New(`"only" and "except" cannot both be set`))
	}
	return oe, errs.ErrorOrNil()
}

// BuildNames returns the names of the template's builds, sorted.
func (t *Template) BuildNames() []string {
	names := make([]string, 0, len(t.Builders))
	for n := range t.Builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validate reports every problem of a parsed template at once, each naming
// where it is: no builders, and only, except and override naming builds the
// template does not declare.
func (t *Template) Validate() error {
	name := t.Path
	if name == "" {
		name = "template"
	}
	var errs *multierror.Error
	if len(t.Builders) == 0 {
		errs = multierror.Append(errs, fmt.Errorf("%s: no builders are defined; a template needs at least one entry in \"builders\"", name))
	}
	checkNames := func(where, key string, names []string) {
		for _, n := range names {
			if _, ok := t.Builders[n]; !ok {
				errs = multierror.Append(errs, fmt.Errorf("%s: %s: %q names build %q, which is not defined (the builds are %s)", name, where, key, n, strings.Join(t.BuildNames(), ", ")))
			}
		}
	}
	for i, p := range t.Provisioners {
		where := fmt.Sprintf("provisioner %d (%s)", i+1, p.Type)
		checkNames(where, "only", p.Only)
		checkNames(where, "except", p.Except)
		for build := range p.Override {
			checkNames(where, "override", []string{build})
		}
	}
	for i, chain := range t.PostProcessors {
		for j, pp := range chain {
			where := fmt.Sprintf("post-processor %d.%d (%s)", i+1, j+1, pp.Type)
			checkNames(where, "only", pp.Only)
			checkNames(where, "except", pp.Except)
		}
	}
	return errs.ErrorOrNil()
}
