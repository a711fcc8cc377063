package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_aConfigFileOver16MiBIsRefusedBeforeItIsRead gives packer a config
// file of valid JSON just over the template's 16 MiB limit: every command
// refuses it, naming the file and the limit, instead of reading it whole.
func TestE2E_aConfigFileOver16MiBIsRefusedBeforeItIsRead(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(e.dir, "big.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	padding := strings.Repeat("a", 1<<20)
	fmt.Fprint(f, `{"builders": {"x": "/`)
	for range 17 {
		fmt.Fprint(f, padding)
	}
	fmt.Fprint(f, `"}}`)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	e.extra = append(e.extra, "PACKER_CONFIG="+path)
	r := e.run("version")
	if r.code != 1 {
		t.Fatalf("want exit 1 for a config file over 16 MiB\n%.2000s", r)
	}
	mustContain(t, r, "stderr", path)
	mustContain(t, r, "stderr", "16 MiB")
}

// TestE2E_unknownConfigKeysAreNamedOnTheUi: a misspelt key is a warning on
// the Ui naming the file, the key and the keys packer reads; a key only real
// Packer uses is not a warning; the command still runs.
func TestE2E_unknownConfigKeysAreNamedOnTheUi(t *testing.T) {
	e := newEnv(t)
	config := e.writeFile("pc.json", `{"bulders": {"mine": "/opt/packer-builder-mine"}, "disable_checkpoint": true}`)
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
	r := e.run("version")
	if r.code != 0 {
		t.Fatalf("an unknown key must not fail the command\n%v", r)
	}
	mustContain(t, r, "stdout", "Packer v")
	for _, want := range []string{config, `"bulders"`, "builders, provisioners, post-processors, commands, hooks, plugin_min_port, plugin_max_port"} {
		mustContain(t, r, "stderr", want)
	}
	if strings.Contains(r.stderr, "disable_checkpoint") {
		t.Errorf("disable_checkpoint, a key of Packer's own config file, was warned about\n%v", r)
	}
}

// TestE2E_aBrokenConfigEntryFailsOnlyWhatUsesIt: a relative path and a
// missing file are treated alike: commands and builds that do not use the
// entry run; a build that uses it fails naming the file and key; `packer
// plugins` reports every broken entry and exits 1.
func TestE2E_aBrokenConfigEntryFailsOnlyWhatUsesIt(t *testing.T) {
	e := newEnv(t)
	missing := filepath.Join(e.dir, "packer-builder-gone")
	config := e.writeFile("pc.json", fmt.Sprintf(`{"builders": {"mine": "relative/packer-builder-mine", "gone": %s}}`, jsonString(missing)))
	e.extra = append(e.extra, "PACKER_CONFIG="+config)

	if r := e.run("version"); r.code != 0 {
		t.Errorf("packer version with a broken entry it does not use: want exit 0\n%v", r)
	}
	e.writeFile("null.json", `{"builders": [{"type": "null", "communicator": "none"}]}`)
	if r := e.run("build", "null.json"); r.code != 0 {
		t.Errorf("a build that uses no broken entry: want exit 0\n%v", r)
	}

	for name, want := range map[string]string{"mine": "not absolute", "gone": "does not exist"} {
		e.writeFile(name+".json", fmt.Sprintf(`{"builders": [{"type": %q}]}`, name))
		r := e.run("build", name+".json")
		if r.code != 1 {
			t.Errorf("a build using the broken entry builders.%s: want exit 1\n%v", name, r)
		}
		mustContain(t, r, "stderr", config)
		mustContain(t, r, "stderr", "builders."+name)
		mustContain(t, r, "stderr", want)
	}

	r := e.run("plugins")
	if r.code != 1 {
		t.Errorf("packer plugins: want exit 1 for the broken entries\n%v", r)
	}
	mustContain(t, r, "stderr", "builders.mine")
	mustContain(t, r, "stderr", "relative/packer-builder-mine")
	mustContain(t, r, "stderr", "builders.gone")
}
