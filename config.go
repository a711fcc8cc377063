package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// config is the user's config file (PACKER_CONFIG, else ~/.packerconfig). It
// is how a plugin author points packer at the binary being developed:
//
//	{"builders": {"mine": "/home/me/src/mine/packer-builder-mine"},
//	 "plugin_min_port": 10000, "plugin_max_port": 25000}
//
// Its plugin entries are checked by discovery, when a plugin is looked up,
// not here: an entry that is not an absolute path to an executable fails
// what uses it (and `packer plugins`), not every command.
type config struct {
	Builders       map[string]string `json:"builders"`
	Provisioners   map[string]string `json:"provisioners"`
	PostProcessors map[string]string `json:"post-processors"`
	Commands       map[string]string `json:"commands"`
	Hooks          map[string]string `json:"hooks"`
	PluginMinPort  int               `json:"plugin_min_port"`
	PluginMaxPort  int               `json:"plugin_max_port"`

	// path is the file this came from ("" when there is none), named in
	// every error about its entries.
	path string
	// unknown are top-level keys neither this packer nor Packer reads,
	// most likely misspelt: each is a warning on the Ui.
	unknown []string
	// ignored are keys of Packer's own config file that this packer has no
	// use for (disable_checkpoint): a config shared with Packer is normal,
	// so they are only logged.
	ignored []string
}

// packerOnlyKeys are the keys Packer's config file has that this packer
// does not read.
var packerOnlyKeys = []string{"disable_checkpoint", "disable_checkpoint_signature"}

// configKeys are the top-level keys config reads, in its field order: the
// json tags, so that the list in warnings cannot drift from the struct.
func configKeys() []string {
	var keys []string
	t := reflect.TypeFor[config]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// warnings are what the user should be told about the file: one line per
// unknown key, naming the file, the key and the keys that are read.
func (c *config) warnings() []string {
	var out []string
	for _, k := range c.unknown {
		out = append(out, fmt.Sprintf("Warning: config file %s: unknown key %q is ignored; the keys packer reads are: %s",
			c.path, k, strings.Join(configKeys(), ", ")))
	}
	return out
}

// configPath returns the config file to read and whether the user named it
// explicitly (PACKER_CONFIG), in which case a missing file is an error.
func configPath() (string, bool, error) {
	if p := os.Getenv("PACKER_CONFIG"); p != "" {
		return p, true, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", false, fmt.Errorf("finding the config file ~/.packerconfig: %w; set PACKER_CONFIG to its path", err)
	}
	return filepath.Join(home, ".packerconfig"), false, nil
}

// loadConfig reads the config file from the environment's location. No file
// at the default location is an empty config; no file where PACKER_CONFIG
// points is an error, because the user asked for it.
func loadConfig() (*config, error) {
	path, explicit, err := configPath()
	if err != nil {
		return nil, err
	}
	data, err := readConfigFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return &config{path: path}, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s (from PACKER_CONFIG) does not exist; create it or unset PACKER_CONFIG", path)
		}
		return nil, err
	}
	return parseConfig(path, data)
}

// readConfigFile reads at most the template's size limit: a config file is
// a few lines, so anything larger is the wrong file (or a device), refused
// before it is held in memory.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, template.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	if len(data) > template.MaxSize {
		return nil, fmt.Errorf("config file %s is larger than %d MiB, the limit for templates and config files; is PACKER_CONFIG pointing at the right file?",
			path, template.MaxSize>>20)
	}
	return data, nil
}

// parseConfig decodes and checks a config file's contents. Every problem is
// an error naming the file and, where there is one, the key.
func parseConfig(path string, data []byte) (*config, error) {
	c := &config{path: path}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, describeJSONError(path, data, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err == nil {
		known := configKeys()
		for k := range raw {
			switch {
			case slices.Contains(known, k):
			case slices.Contains(packerOnlyKeys, k):
				c.ignored = append(c.ignored, k)
			default:
				c.unknown = append(c.unknown, k)
			}
		}
		sort.Strings(c.ignored)
		sort.Strings(c.unknown)
	}

	var errs []error
	// Zero means unset: the plugin client then uses PACKER_PLUGIN_MIN_PORT
	// and PACKER_PLUGIN_MAX_PORT, else 10000-25000.
	for key, port := range map[string]int{"plugin_min_port": c.PluginMinPort, "plugin_max_port": c.PluginMaxPort} {
		if port < 0 || port > 65535 {
			errs = append(errs, fmt.Errorf("config file %s, key %s: port %d is outside 1-65535", path, key, port))
		}
	}
	if c.PluginMinPort != 0 && c.PluginMaxPort != 0 && c.PluginMinPort > c.PluginMaxPort {
		errs = append(errs, fmt.Errorf("config file %s: plugin_min_port %d is above plugin_max_port %d; swap them",
			path, c.PluginMinPort, c.PluginMaxPort))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// configured returns the plugins the file names, in the shape discovery
// takes.
func (c *config) configured() map[packer.Kind]map[string]string {
	out := make(map[packer.Kind]map[string]string)
	for kind, paths := range map[packer.Kind]map[string]string{
		packer.KindBuilder:       c.Builders,
		packer.KindProvisioner:   c.Provisioners,
		packer.KindPostProcessor: c.PostProcessors,
		packer.KindCommand:       c.Commands,
		packer.KindHook:          c.Hooks,
	} {
		if len(paths) > 0 {
			out[kind] = paths
		}
	}
	return out
}

// describeJSONError turns a decoding error into one that names the file,
// the line and column, and for a wrong type the key.
func describeJSONError(path string, data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line, col := lineColumn(data, syntax.Offset)
		return fmt.Errorf("config file %s: invalid JSON at line %d, column %d: %v", path, line, col, syntax)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		line, col := lineColumn(data, typ.Offset)
		return fmt.Errorf("config file %s, key %s (line %d, column %d): got a JSON %s, want %s",
			path, mapEntryKey(data, typ.Field), line, col, typ.Value, describeGoType(typ.Type.String()))
	}
	return fmt.Errorf("config file %s: %w", path, err)
}

// mapEntryKey refines a section name such as "commands" to the entry that
// is not a string ("commands.hello"), which encoding/json does not report.
func mapEntryKey(data []byte, field string) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return field
	}
	var entries map[string]any
	if json.Unmarshal(top[field], &entries) != nil {
		return field
	}
	names := make([]string, 0, len(entries))
	for name, v := range entries {
		if _, ok := v.(string); !ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return field
	}
	sort.Strings(names)
	return field + "." + names[0]
}

func describeGoType(t string) string {
	switch t {
	case "map[string]string":
		return "an object of plugin name to absolute path"
	case "string":
		return "a string (an absolute path)"
	case "int":
		return "a number"
	case "main.config":
		return "an object"
	}
	return t
}

// lineColumn converts a byte offset into a 1-based line and column.
func lineColumn(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
