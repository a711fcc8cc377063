package template

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/hashicorp/go-multierror"
)

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
