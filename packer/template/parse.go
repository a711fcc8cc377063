package template

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

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
	Hooks                   map[string][]string
}

// topLevelKeys are the keys rawTemplate reads, in the order help lists them.
var topLevelKeys = []string{
	"builders", "provisioners", "post-processors", "variables", "sensitive-variables",
	"description", "min_packer_version", "error-cleanup-provisioner", "required_plugins", "hooks", "push",
}

// topLevelHints explain the shape of a key whose wrong type the decoder
// names only by the top-level key.
var topLevelHints = map[string]string{
	"hooks": `"hooks" maps each event to a list of hook plugin names: {"packer_provision": ["NAME"]}`,
}

// parse reads the template called name (in errors) from r: the JSON, its
// top-level keys, then each section, every problem of every section at once.
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

	t := &Template{
		Variables:   map[string]*Variable{},
		Builders:    map[string]*Builder{},
		RawContents: data,
	}
	raw, errs := t.readTopLevel(data, name, top, offsets)
	t.Description = raw.Description
	t.MinVersion = raw.MinVersion
	t.SensitiveVariables = raw.SensitiveVariables
	// Arguments are evaluated in order: the errors come section by section.
	errs = multierror.Append(errs,
		t.readVariables(raw, name),
		checkMinVersionSyntax(raw, name),
		t.readRequiredPlugins(raw, name),
		t.readHooks(raw, name),
		t.readBuilders(raw, name),
		t.readProvisioners(raw, name),
		t.readPostProcessors(raw, name),
	)
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return t, nil
}

// readTopLevel decodes each known top-level key into raw, on its own so
// that a wrong type in one does not hide the problems of the others, keeps
// the comments (keys starting with "_") and reports every unknown key.
func (t *Template) readTopLevel(data []byte, name string, top map[string]json.RawMessage, offsets map[string]int64) (*rawTemplate, *multierror.Error) {
	var errs *multierror.Error
	var raw rawTemplate
	fields := map[string]any{
		"description": &raw.Description, "min_packer_version": &raw.MinVersion,
		"variables": &raw.Variables, "sensitive-variables": &raw.SensitiveVariables,
		"builders": &raw.Builders, "provisioners": &raw.Provisioners,
		"error-cleanup-provisioner": &raw.ErrorCleanupProvisioner,
		"post-processors":           &raw.PostProcessors, "push": &raw.Push,
		"required_plugins": &raw.RequiredPlugins, "hooks": &raw.Hooks,
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
				errs = multierror.Append(errs, fmt.Errorf("%s: %s", name, jsonErrorAt(data, offsets[k], k, err, topLevelHints[k])))
			}
		}
	}
	return &raw, errs
}

// readVariables reads "variables".
func (t *Template) readVariables(raw *rawTemplate, name string) error {
	var errs *multierror.Error
	for _, k := range sortedKeys(raw.Variables) {
		v, err := parseVariable(k, raw.Variables[k])
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		t.Variables[k] = v
	}
	return errs.ErrorOrNil()
}

// checkMinVersionSyntax checks that "min_packer_version" is a version; the
// core compares it with its own.
func checkMinVersionSyntax(raw *rawTemplate, name string) error {
	if raw.MinVersion != "" {
		if _, err := version.NewVersion(raw.MinVersion); err != nil {
			return fmt.Errorf("%s: min_packer_version: %q is not a version (e.g. \"1.4.0\")", name, raw.MinVersion)
		}
	}
	return nil
}

// readRequiredPlugins reads "required_plugins", checking each version
// constraint.
func (t *Template) readRequiredPlugins(raw *rawTemplate, name string) error {
	var errs *multierror.Error
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
	return errs.ErrorOrNil()
}

// readHooks reads "hooks": no hook name may be empty.
func (t *Template) readHooks(raw *rawTemplate, name string) error {
	var errs *multierror.Error
	for _, event := range sortedKeys(raw.Hooks) {
		for i, hook := range raw.Hooks[event] {
			if hook == "" {
				errs = multierror.Append(errs, fmt.Errorf("%s: hooks.%s: entry %d is empty; name a hook plugin (packer-hook-NAME) by its NAME", name, event, i+1))
			}
		}
	}
	t.Hooks = raw.Hooks
	return errs.ErrorOrNil()
}

// readBuilders reads "builders", each named once.
func (t *Template) readBuilders(raw *rawTemplate, name string) error {
	var errs *multierror.Error
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
	return errs.ErrorOrNil()
}

// readProvisioners reads "provisioners" and "error-cleanup-provisioner".
func (t *Template) readProvisioners(raw *rawTemplate, name string) error {
	var errs *multierror.Error
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
	return errs.ErrorOrNil()
}

// readPostProcessors reads "post-processors", each entry a chain.
func (t *Template) readPostProcessors(raw *rawTemplate, name string) error {
	var errs *multierror.Error
	for i, chain := range raw.PostProcessors {
		parsed, err := parsePostProcessorChain(chain, fmt.Sprintf("%s: post-processor %d", name, i+1))
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		t.PostProcessors = append(t.PostProcessors, parsed)
	}
	return errs.ErrorOrNil()
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
		return nil, fmt.Errorf("variable %q: %w", key, err)
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
