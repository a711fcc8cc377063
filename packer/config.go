package packer

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/hashicorp/go-multierror"
)

// Keys the core passes to every component's Prepare, after the component's
// own configuration.
const (
	BuildNameConfigKey     = "packer_build_name"
	BuilderTypeConfigKey   = "packer_builder_type"
	DebugConfigKey         = "packer_debug"
	ForceConfigKey         = "packer_force"
	OnErrorConfigKey       = "packer_on_error"
	UserVariablesConfigKey = "packer_user_variables"
)

// PackerConfig holds the values the core passes to every component. Embed it
// in a component's configuration struct with `mapstructure:",squash"` to
// read them.
type PackerConfig struct {
	PackerBuildName     string            `mapstructure:"packer_build_name"`
	PackerBuilderType   string            `mapstructure:"packer_builder_type"`
	PackerDebug         bool              `mapstructure:"packer_debug"`
	PackerForce         bool              `mapstructure:"packer_force"`
	PackerOnError       string            `mapstructure:"packer_on_error"`
	PackerUserVariables map[string]string `mapstructure:"packer_user_variables"`
}

// DecodeConfig decodes a component's configuration into target, a pointer to
// a struct whose fields carry `mapstructure` tags.
//
// raws are merged in order, a later raw's keys overriding an earlier one's,
// and the merged map is decoded with weak typing (so "8" fills an int and
// "true" a bool) and with strings such as "30s" turned into time.Duration.
//
// Every problem is reported at once in one *multierror.Error: each key the
// target does not have, and each value that cannot be converted, naming the
// key. Keys that start with "packer_" are the core's; they are accepted even
// when target does not declare them, so a component that has no use for them
// does not need to embed PackerConfig.
func DecodeConfig(target interface{}, raws ...interface{}) error {
	merged := make(map[string]interface{})
	var result *multierror.Error
	for i, raw := range raws {
		if raw == nil {
			continue
		}
		var m map[string]interface{}
		if err := mapstructure.Decode(raw, &m); err != nil {
			result = multierror.Append(result, fmt.Errorf("configuration %d is not an object: %w", i+1, err))
			continue
		}
		for k, v := range m {
			merged[k] = v
		}
	}

	unused, err := decodeMerged(target, merged)
	if err != nil {
		decodeErrs := flattenErrors(err)
		for _, e := range decodeErrs {
			result = multierror.Append(result, e)
		}
		// mapstructure records unknown keys only when decoding succeeds, so
		// decode once more, into a scratch value and without the keys that
		// failed, to name the unknown keys in the same report.
		unused = unknownKeys(target, merged, decodeErrs)
	}
	for _, key := range unused {
		result = multierror.Append(result, fmt.Errorf("unknown configuration key: %q", key))
	}
	return result.ErrorOrNil()
}

// decodeMerged decodes m into target and returns the keys of m that target
// has no field for, sorted, leaving out the core's packer_ keys.
func decodeMerged(target interface{}, m map[string]interface{}) ([]string, error) {
	var md mapstructure.Metadata
	decoder, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
		Metadata:         &md,
		Result:           target,
		WeaklyTypedInput: true,
		TagName:          "mapstructure",
	})
	if err != nil {
		return nil, fmt.Errorf("decoding configuration into %s: %w", reflect.TypeOf(target), err)
	}
	if err := decoder.Decode(m); err != nil {
		return nil, err
	}
	unused := make([]string, 0, len(md.Unused))
	for _, key := range md.Unused {
		if !strings.HasPrefix(key, "packer_") {
			unused = append(unused, key)
		}
	}
	sort.Strings(unused)
	return unused, nil
}

// unknownKeys returns the keys of m that target has no field for, after
// dropping the keys named by decodeErrs.
func unknownKeys(target interface{}, m map[string]interface{}, decodeErrs []error) []string {
	t := reflect.TypeOf(target)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil
	}
	rest := make(map[string]interface{}, len(m))
	for k, v := range m {
		rest[k] = v
	}
	for _, e := range decodeErrs {
		var de *mapstructure.DecodeError
		if errors.As(e, &de) {
			top, _, _ := strings.Cut(de.Name(), ".")
			top, _, _ = strings.Cut(top, "[")
			delete(rest, top)
		}
	}
	unused, err := decodeMerged(reflect.New(t.Elem()).Interface(), rest)
	if err != nil {
		return nil
	}
	return unused
}

// flattenErrors splits the joined errors mapstructure returns into one error
// per key.
func flattenErrors(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []error{err}
}
