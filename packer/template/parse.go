package template

import (
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

// MaxSize is the largest template (or var file) read: far above any real
// template, low enough that a wrong file (a disk image) is a clear error,
// not a large allocation.
const MaxSize = 16 << 20

// ParseFile reads and parses the template at path; "-" reads standard
// input. Errors name the file.
func ParseFile(path string) (*Template, error) {
	if path == "-" {
		return parse(os.Stdin, "standard input")
	}
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

// Parse parses a template from r. Errors call it "template"; ParseFile
// names the file.
func Parse(r io.Reader) (*Template, error) { return parse(r, "template") }

// rawTemplate holds a template's known top-level keys as JSON decodes them,
// before each component entry is read.
type rawTemplate struct {
	Description             string
	MinVersion              string
	Variables               map[string]json.RawMessage
	SensitiveVariables      []string
	Builders                []map[string]any
	Provisioners            []map[string]any
	ErrorCleanupProvisioner map[string]any
	PostProcessors          []any
	Push                    map[string]any // Atlas push, long gone: accepted, unused
	RequiredPlugins         map[string]*RequiredPlugin
}

// topLevelKeys are the keys rawTemplate reads, in the order help lists them.
var topLevelKeys = []string{
	"builders", "provisioners", "post-processors", "variables", "sensitive-variables",
	"description", "min_packer_version", "error-cleanup-provisioner", "required_plugins", "push",
}

func parse(r io.Reader, name string) (*Template, error) {
	data, err := readLimited(r, name)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err, "a template is a JSON object with \"builders\""))
	}
	offsets, err := scanObject(data, name)
	if err != nil {
		return nil, err
	}

	var errs *multierror.Error
	t := &Template{
		Variables:   map[string]*Variable{},
		Builders:    map[string]*Builder{},
		RawContents: data,
	}
	// Each known key is decoded on its own, so that a wrong type in one
	// does not hide the problems of the others.
	var raw rawTemplate
	fields := map[string]any{
		"description": &raw.Description, "min_packer_version": &raw.MinVersion,
		"variables": &raw.Variables, "sensitive-variables": &raw.SensitiveVariables,
		"builders": &raw.Builders, "provisioners": &raw.Provisioners,
		"error-cleanup-provisioner": &raw.ErrorCleanupProvisioner,
		"post-processors":           &raw.PostProcessors, "push": &raw.Push,
		"required_plugins": &raw.RequiredPlugins,
	}
	for _, k := range sortedKeys(top) {
		v := top[k]
		to, known := fields[k]
		switch {
		case strings.HasPrefix(k, "_"):
			if t.Comments == nil {
				t.Comments = map[string]string{}
			}
			var s string
			if json.Unmarshal(v, &s) != nil {
				s = string(v)
			}
			t.Comments[k] = s
		case !known:
			errs = multierror.Append(errs, fmt.Errorf("%s: line %d: unknown top-level key %q; the keys are %s (keys starting with _ are comments)", name, lineOf(data, offsets[k]), k, strings.Join(topLevelKeys, ", ")))
		default:
			if err := json.Unmarshal(v, to); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %s", name, jsonErrorAt(data, offsets[k], k, err, "")))
			}
		}
	}
	t.Description = raw.Description
	t.MinVersion = raw.MinVersion
	t.SensitiveVariables = raw.SensitiveVariables

	for _, k := range sortedKeys(raw.Variables) {
		v, err := parseVariable(k, raw.Variables[k])
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		t.Variables[k] = v
	}

	if raw.MinVersion != "" {
		if _, err := version.NewVersion(raw.MinVersion); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: min_packer_version: %q is not a version (e.g. \"1.4.0\")", name, raw.MinVersion))
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
			errs = multierror.Append(errs, prefixEach(where, err))
			continue
		}
		if _, dup := t.Builders[builder.Name]; dup {
			errs = multierror.Append(errs, fmt.Errorf("%s: a build named %q is already declared; builds are named by \"name\", else by \"type\", so give one of them a different \"name\"", where, builder.Name))
			continue
		}
		t.Builders[builder.Name] = builder
	}

	for i, p := range raw.Provisioners {
		prov, err := parseProvisioner(p, t.warner(fmt.Sprintf("%s: provisioner %d", name, i+1)))
		if err != nil {
			errs = multierror.Append(errs, prefixEach(fmt.Sprintf("%s: provisioner %d", name, i+1), err))
			continue
		}
		t.Provisioners = append(t.Provisioners, prov)
	}
	if raw.ErrorCleanupProvisioner != nil {
		prov, err := parseProvisioner(raw.ErrorCleanupProvisioner, t.warner(name+": error-cleanup-provisioner"))
		if err != nil {
			errs = multierror.Append(errs, prefixEach(name+": error-cleanup-provisioner", err))
		}
		t.ErrorCleanupProvisioner = prov
	}

	for i, chain := range raw.PostProcessors {
		parsed, err := parsePostProcessorChain(chain, fmt.Sprintf("%s: post-processor %d", name, i+1))
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		t.PostProcessors = append(t.PostProcessors, parsed)
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return t, nil
}

// readLimited reads a whole template or var file, refusing what cannot be
// one: too large, or not UTF-8 text.
func readLimited(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d MiB; is it really a JSON template?", name, MaxSize>>20)
	}
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return nil, fmt.Errorf("%s: line %d: not UTF-8 text (byte 0x%02x at offset %d); a template is JSON, which is UTF-8", name, lineOf(data, int64(at)), data[at], at)
	}
	return data, nil
}

// parseVariable reads one "variables" entry: null declares a required
// variable; a string is the default. Numbers and booleans are taken as
// their text, since every variable's value is a string.
func parseVariable(key string, raw json.RawMessage) (*Variable, error) {
	v := &Variable{Key: key}
	var value any
	if err := json.Unmarshal(raw, &value); err != nil {
		return nil, fmt.Errorf("variable %q: %v", key, err)
	}
	switch value.(type) {
	case nil:
		v.Required = true
	case string:
		v.Default = value.(string)
	case float64, bool:
		v.Default = string(raw)
	default:
		return nil, fmt.Errorf("variable %q: the default must be a string (or null for a variable the user must give), not %s", key, jsonKind(value))
	}
	return v, nil
}

func parseBuilder(raw map[string]any) (*Builder, error) {
	config := componentConfig(raw)
	var errs *multierror.Error
	typ, err := takeString(config, "type")
	if err != nil {
		errs = multierror.Append(errs, err)
	} else if typ == "" {
		errs = multierror.Append(errs, errors.New(`missing "type": every builder says which builder it uses, e.g. "type": "null"`))
	}
	name, err := takeString(config, "name")
	if err != nil {
		errs = multierror.Append(errs, err)
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	if name == "" {
		name = typ
	}
	return &Builder{Name: name, Type: typ, Config: config}, nil
}

// warner returns a function that adds a warning about where to the
// template's Warnings.
func (t *Template) warner(where string) func(string) {
	return func(m string) { t.Warnings = append(t.Warnings, where+": "+m) }
}

func parseProvisioner(raw map[string]any, warn func(string)) (*Provisioner, error) {
	config := componentConfig(raw)
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
			errs = multierror.Append(errs, fmt.Errorf(`"override" must be an object of build name to configuration, not %s`, jsonKind(v)))
		}
		for build, o := range override {
			if _, ok := o.(map[string]any); !ok {
				errs = multierror.Append(errs, fmt.Errorf(`"override": %q must be an object of the keys to use for that build, not %s`, build, jsonKind(o)))
			}
		}
		p.Override = override
	}
	for _, d := range []struct {
		key string
		to  *time.Duration
	}{{"pause_before", &p.PauseBefore}, {"timeout", &p.Timeout}} {
		if v, ok := config[d.key]; ok {
			delete(config, d.key)
			parsed, err := parseDuration(v)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%q: %v is not a duration; use a value like \"30s\", \"5m\" or \"1h30m\"", d.key, jsonText(v)))
			} else if _, bare := v.(float64); bare && parsed != 0 {
				warn(fmt.Sprintf("%q: %s is a bare number, which Packer (and this packer) reads as %s nanoseconds (%s); write it with a unit, like \"%ss\" for seconds", d.key, jsonText(v), jsonText(v), parsed, jsonText(v)))
			}
			*d.to = parsed
		}
	}
	if v, ok := config["max_retries"]; ok {
		delete(config, "max_retries")
		if err := mapstructure.WeakDecode(v, &p.MaxRetries); err != nil || p.MaxRetries < 0 {
			errs = multierror.Append(errs, fmt.Errorf(`"max_retries": %v is not a count of retries; use a whole number like 3`, jsonText(v)))
		}
	}
	p.Config = config
	return p, errs.ErrorOrNil()
}

// parseDuration reads a duration as Packer does: a Go duration string, or a
// number of nanoseconds.
func parseDuration(v any) (time.Duration, error) {
	switch t := v.(type) {
	case string:
		return time.ParseDuration(t)
	case float64:
		if t == float64(int64(t)) {
			return time.Duration(t), nil
		}
	}
	return 0, errors.New("not a duration")
}

// parsePostProcessorChain reads one entry of "post-processors": a name, an
// object, or a list of those (a chain).
func parsePostProcessorChain(raw any, where string) ([]*PostProcessor, error) {
	steps, ok := raw.([]any)
	if !ok {
		pp, err := parsePostProcessor(raw)
		if err != nil {
			return nil, prefixEach(where, err)
		}
		return []*PostProcessor{pp}, nil
	}
	var chain []*PostProcessor
	var errs *multierror.Error
	for i, item := range steps {
		stepWhere := fmt.Sprintf("%s.%d", where, i+1)
		if _, nested := item.([]any); nested {
			errs = multierror.Append(errs, fmt.Errorf("%s: a chain cannot hold another chain; list its post-processors directly", stepWhere))
			continue
		}
		pp, err := parsePostProcessor(item)
		if err != nil {
			errs = multierror.Append(errs, prefixEach(stepWhere, err))
			continue
		}
		chain = append(chain, pp)
	}
	return chain, errs.ErrorOrNil()
}

func parsePostProcessor(raw any) (*PostProcessor, error) {
	switch v := raw.(type) {
	case string:
		if v == "" {
			return nil, errors.New(`an empty name; a post-processor is written as its type ("manifest") or an object with a "type"`)
		}
		return &PostProcessor{Name: v, Type: v, Config: map[string]any{}}, nil
	case map[string]any:
		config := componentConfig(v)
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
				errs = multierror.Append(errs, fmt.Errorf(`"keep_input_artifact": %v is not true or false`, jsonText(k)))
			}
			pp.KeepInputArtifact = &keep
		}
		pp.Config = config
		return pp, errs.ErrorOrNil()
	}
	return nil, fmt.Errorf("a post-processor is a type name, an object with a \"type\", or a list of those (a chain); not %s", jsonKind(raw))
}

// componentConfig copies a component's keys for the template's own keys
// to be taken out. "_comment"-style keys stay: as Packer documents, only
// top-level keys may be comments, and inside a builder, provisioner or
// post-processor the component reports one as an unknown key.
func componentConfig(raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		out[k] = v
	}
	return out
}

// takeString removes key from config and returns its string value.
func takeString(config map[string]any, key string) (string, error) {
	v, ok := config[key]
	if !ok {
		return "", nil
	}
	delete(config, key)
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q must be a string, not %s", key, jsonKind(v))
	}
	return s, nil
}

// takeOnlyExcept removes "only" and "except" from config.
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
			errs = multierror.Append(errs, fmt.Errorf("%q must be a list of build names like [\"vanilla\"], not %s", f.key, jsonText(v)))
		}
	}
	if len(oe.Only) > 0 && len(oe.Except) > 0 {
		errs = multierror.Append(errs, errors.New(`"only" and "except" cannot both be set; use one of them`))
	}
	return oe, errs.ErrorOrNil()
}

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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
