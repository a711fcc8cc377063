package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_aMultiComponentPluginServesBothComponentsFromOneProcess puts a
// packer-plugin-duo on PATH and uses its default builder (type "duo") and
// its post-processor (type "duo-stamp"): both come from one process.
func TestE2E_aMultiComponentPluginServesBothComponentsFromOneProcess(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-plugin-duo", e.pathDir)
	e.writeFile("t.json", `{
		"builders": [{"type": "duo", "output": "duo.txt"}],
		"post-processors": [{"type": "duo-stamp"}]
	}`)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	data, err := os.ReadFile(filepath.Join(e.dir, "duo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || strings.TrimPrefix(lines[0], "built by ") != strings.TrimPrefix(lines[1], "stamped by ") {
		t.Errorf("duo.txt = %q, want the builder and the post-processor in one pid", data)
	}
	if n := strings.Count(r.stderr, "starting packer-plugin-duo"); n != 1 {
		t.Errorf("packer-plugin-duo started %d times, want once:\n%s", n, r.stderr)
	}
	mustContain(t, r, "stderr", "(plugin version 0.3.0)")
}

func TestE2E_aComponentAMultiComponentPluginLacksIsNamed(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-plugin-duo", e.pathDir)
	e.writeFile("t.json", `{"builders": [{"type": "duo-nope"}]}`)
	r := e.run("build", "t.json")
	if r.code == 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stderr", `packer-plugin-duo`)
	mustContain(t, r, "stderr", `has no builder "duo-nope"; its builders are: duo`)
}

// TestE2E_aMultiComponentPluginIsolatesInstancesByDefault: the same plugin,
// not asking to share (DUO_ISOLATE makes it not call ShareProcess), gets a
// process per instance.
func TestE2E_aMultiComponentPluginIsolatesInstancesByDefault(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-plugin-duo", e.pathDir)
	e.writeFile("t.json", `{
		"builders": [{"type": "duo", "output": "duo.txt"}],
		"post-processors": [{"type": "duo-stamp"}]
	}`)
	e.extra = append(e.extra, "DUO_ISOLATE=1")
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	data, _ := os.ReadFile(filepath.Join(e.dir, "duo.txt"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || strings.TrimPrefix(lines[0], "built by ") == strings.TrimPrefix(lines[1], "stamped by ") {
		t.Errorf("duo.txt = %q, want the builder and the post-processor in different processes", data)
	}
}

func TestE2E_pluginsListsTheComponentsAMultiComponentPluginDescribes(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-plugin-duo", e.pathDir)
	r := e.run("plugins")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"plugin", "duo", "builder", "post-processor", "duo-stamp", "v0.3.0"} {
		mustContain(t, r, "stdout", want)
	}
}
