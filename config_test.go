package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
	"github.com/packer-classic/packer/plugin"
)

func TestParseConfig_readsPluginMapsAndPorts(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "packer-builder-mine")
	data := `{
		"builders": {"mine": ` + quote(abs) + `},
		"post-processors": {"pp": ` + quote(abs) + `},
		"plugin_min_port": 20000, "plugin_max_port": 20010,
		"disable_checkpoint": true
	}`
	c, err := parseConfig("/etc/pc", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if c.Builders["mine"] != abs || c.PostProcessors["pp"] != abs {
		t.Errorf("plugins not read: %+v", c)
	}
	if c.PluginMinPort != 20000 || c.PluginMaxPort != 20010 {
		t.Errorf("ports = %d-%d, want 20000-20010", c.PluginMinPort, c.PluginMaxPort)
	}
	if len(c.ignored) != 1 || c.ignored[0] != "disable_checkpoint" {
		t.Errorf("ignored = %q, want [disable_checkpoint]", c.ignored)
	}
	got := c.configured()
	if got[packer.KindBuilder]["mine"] != abs || got[packer.KindPostProcessor]["pp"] != abs || len(got) != 2 {
		t.Errorf("configured() = %v", got)
	}
}

func TestParseConfig_leavesPortsUnsetWhenAbsent(t *testing.T) {
	// Unset (zero) lets the plugin client fall back to the environment.
	c, err := parseConfig("/etc/pc", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.PluginMinPort != 0 || c.PluginMaxPort != 0 {
		t.Errorf("ports = %d-%d, want 0-0 (unset)", c.PluginMinPort, c.PluginMaxPort)
	}
}

func TestParseConfig_aRelativePathIsLeftToDiscovery(t *testing.T) {
	// Discovery reports it when the plugin is used, as it does a missing
	// file (TestFind_aBrokenConfigEntryIsAnErrorOnlyForItsPlugin).
	c, err := parseConfig("/home/me/.packerconfig", []byte(`{"provisioners": {"x": "bin/packer-provisioner-x"}}`))
	if err != nil {
		t.Fatalf("a relative plugin path failed the whole file: %v", err)
	}
	if got := c.configured()[packer.KindProvisioner]["x"]; got != "bin/packer-provisioner-x" {
		t.Errorf("configured provisioners.x = %q", got)
	}
}

func TestParseConfig_unknownKeysAreWarningsNamingFileKeyAndTheKnownKeys(t *testing.T) {
	c, err := parseConfig("/etc/pc", []byte(`{"provisioner": {}, "plugin_min_prot": 1, "disable_checkpoint_signature": true}`))
	if err != nil {
		t.Fatal(err)
	}
	w := c.warnings()
	if len(w) != 2 {
		t.Fatalf("warnings = %q, want one per unknown key", w)
	}
	for i, key := range []string{`"plugin_min_prot"`, `"provisioner"`} {
		for _, want := range []string{"/etc/pc", key, "builders, provisioners, post-processors, commands, hooks, plugin_min_port, plugin_max_port"} {
			if !strings.Contains(w[i], want) {
				t.Errorf("warning %q does not mention %s", w[i], want)
			}
		}
	}
	if len(c.ignored) != 1 || c.ignored[0] != "disable_checkpoint_signature" {
		t.Errorf("ignored = %q, want Packer's own key, logged rather than warned", c.ignored)
	}
}

func TestLoadConfig_aFileOverTheTemplateLimitIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge")
	// Sparse: no 16 MiB written to disk; the reader must stop at the limit.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, template.MaxSize+1); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PACKER_CONFIG", path)
	_, err := loadConfig()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Fatalf("err = %v, want one naming %s and the 16 MiB limit", err, path)
	}
	if err := os.Truncate(path, template.MaxSize); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(); err == nil || strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a file of exactly the limit: err = %v, want it read (and refused as JSON)", err)
	}
}

func TestParseConfig_badJSONNamesFileLineAndColumn(t *testing.T) {
	_, err := parseConfig("/tmp/pc.json", []byte("{\n  \"builders\": {\n    \"x\": ,\n  }\n}"))
	if err == nil {
		t.Fatal("want an error for malformed JSON")
	}
	for _, want := range []string{"/tmp/pc.json", "line 3", "column"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestParseConfig_wrongTypeNamesKey(t *testing.T) {
	_, err := parseConfig("/tmp/pc.json", []byte(`{"commands": {"hello": 3}}`))
	if err == nil || !strings.Contains(err.Error(), "commands.hello") || !strings.Contains(err.Error(), "/tmp/pc.json") {
		t.Fatalf("err = %v, want one naming /tmp/pc.json and commands.hello", err)
	}
}

func TestParseConfig_badPortRange(t *testing.T) {
	_, err := parseConfig("/tmp/pc.json", []byte(`{"plugin_min_port": 30000, "plugin_max_port": 20000}`))
	if err == nil || !strings.Contains(err.Error(), "plugin_min_port") {
		t.Fatalf("err = %v, want one about plugin_min_port above plugin_max_port", err)
	}
	_, err = parseConfig("/tmp/pc.json", []byte(`{"plugin_max_port": 70000}`))
	if err == nil || !strings.Contains(err.Error(), "plugin_max_port") {
		t.Fatalf("err = %v, want one about plugin_max_port out of range", err)
	}
}

func TestLoadConfig_explicitMissingFileIsAnError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	t.Setenv("PACKER_CONFIG", missing)
	_, err := loadConfig()
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "PACKER_CONFIG") {
		t.Fatalf("err = %v, want one naming %s and PACKER_CONFIG", err, missing)
	}
}

func TestLoadConfig_defaultMissingFileIsEmpty(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PACKER_CONFIG", "")
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.configured()) != 0 || c.PluginMinPort != 0 {
		t.Errorf("want an empty config with default ports, got %+v", c)
	}
}

func TestLoadConfig_readsHomeFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PACKER_CONFIG", "")
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	abs := filepath.Join(home, "packer-command-hi")
	if err := os.WriteFile(filepath.Join(home, ".packerconfig"), []byte(`{"commands":{"hi":`+quote(abs)+`}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.Commands["hi"] != abs || c.path != filepath.Join(home, ".packerconfig") {
		t.Errorf("got %+v", c)
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
}

func TestPortsFromConfig_environmentWins(t *testing.T) {
	c := &config{PluginMinPort: 20000, PluginMaxPort: 20100}
	t.Setenv(plugin.MinPortEnv, "")
	t.Setenv(plugin.MaxPortEnv, "")
	if lo, hi := portsFromConfig(c); lo != 20000 || hi != 20100 {
		t.Errorf("from the config file: got %d-%d, want 20000-20100", lo, hi)
	}
	t.Setenv(plugin.MinPortEnv, "30000")
	if lo, hi := portsFromConfig(c); lo != 0 || hi != 20100 {
		t.Errorf("with %s set: got %d-%d, want 0 (left to the environment)-20100", plugin.MinPortEnv, lo, hi)
	}
}
