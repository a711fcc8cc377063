package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/packer-classic/packer/plugin"
)

// config is the user's config file (PACKER_CONFIG, else ~/.packerconfig). It
// is how a plugin author points packer at the binary being developed:
//
//	{"builders": {"mine": "/home/me/src/mine/packer-builder-mine"},
//	 "plugin_min_port": 10000, "plugin_max_port": 25000}
type config struct {
	Builders       map[string]string `json:"builders"`
	Provisioners   map[string]string `json:"provisioners"`
	PostProcessors map[string]string `json:"post-processors"`
	Commands       map[string]string `json:"commands"`
	PluginMinPort  int               `json:"plugin_min_port"`
	PluginMaxPort  int               `json:"plugin_max_port"`

	// path is the file this came from ("" when there is none), named in
	// every error about its entries.
	path string
	// ignored are top-level keys we do not use (real Packer configs may
	// carry e.g. disable_checkpoint); logged, not fatal.
	ignored []string
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
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return &config{path: path}, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s (from PACKER_CONFIG) does not exist; create it or unset PACKER_CONFIG", path)
		}
		return nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	return parseConfig(path, data)
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
		known := map[string]bool{"builders": true, "provisioners": true, "post-processors": true,
			"commands": true, "plugin_min_port": true, "plugin_max_port": true}
		for k := range raw {
			if !known[k] {
				c.ignored = append(c.ignored, k)
			}
		}
		sort.Strings(c.ignored)
	}

	var errs []error
	for _, section := range c.sections() {
		names := make([]string, 0, len(section.paths))
		for name := range section.paths {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := section.paths[name]
			if p == "" || !filepath.IsAbs(p) {
				errs = append(errs, fmt.Errorf("config file %s, key %s.%s: plugin path %q is not absolute; give the full path to the plugin binary",
					path, section.key, name, p))
			}
		}
	}
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

type configSection struct {
	key   string
	kind  plugin.Kind
	paths map[string]string
}

func (c *config) sections() []configSection {
	return []configSection{
		{"builders", plugin.KindBuilder, c.Builders},
		{"provisioners", plugin.KindProvisioner, c.Provisioners},
		{"post-processors", plugin.KindPostProcessor, c.PostProcessors},
		{"commands", plugin.KindCommand, c.Commands},
	}
}

// configured returns the plugins the file names, in the shape discovery
// takes.
func (c *config) configured() map[plugin.Kind]map[string]string {
	out := make(map[plugin.Kind]map[string]string)
	for _, s := range c.sections() {
		if len(s.paths) > 0 {
			out[s.kind] = s.paths
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
