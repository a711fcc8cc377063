package e2e

// End-to-end tests of hook plugins: a template's "hooks" names, for an
// event a builder runs, the packer-hook-NAME plugins the core runs for it.

import (
	"fmt"
	"strings"
	"testing"
)

// hooksTemplate is a null build with a local communicator, the mark hook
// for packer_provision, and a provisioner that runs after it.
const hooksTemplate = `{
  "hooks": {"packer_provision": ["mark"]},
  "builders": [{"type": "null", "communicator": "local"}],
  "provisioners": [{"type": "shell-local", "inline": ["echo provisioner ran"]}]
}`

// TestE2E_templateHooksRunForTheirEventBeforeTheProvisioners: the hook
// plugin runs (in its own process) when the builder runs packer_provision,
// with the build's data and communicator, before the provisioners.
func TestE2E_templateHooksRunForTheirEventBeforeTheProvisioners(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-hook-mark", e.pathDir)
	e.writeFile("t.json", hooksTemplate)
	r := e.run("build", "-color=false", "t.json")
	if r.code != 0 {
		t.Fatalf("packer build: %v", r)
	}
	order := []string{"hook mark: event packer_provision, build ID Null", "hook mark ran a command", "provisioner ran"}
	at := 0
	for _, want := range order {
		i := strings.Index(r.stdout[at:], want)
		if i < 0 {
			t.Fatalf("stdout lacks %q after %q (want, in order, %q)\n%v", want, r.stdout[:at], order, r)
		}
		at += i + len(want)
	}
}

// TestE2E_aFailingHookFailsTheBuildAndNoProvisionerRuns: the hook's error
// is the builder's, and the build's.
func TestE2E_aFailingHookFailsTheBuildAndNoProvisionerRuns(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-hook-mark", e.pathDir)
	e.extra = append(e.extra, "MARK_FAIL=1")
	e.writeFile("t.json", hooksTemplate)
	r := e.run("build", "-color=false", "t.json")
	if r.code != 1 {
		t.Fatalf("packer build: want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "hook mark: asked to fail")
	if strings.Contains(r.stdout, "provisioner ran") {
		t.Errorf("a provisioner ran after the hook failed\n%v", r)
	}
}

// TestE2E_hookPluginsAreFoundAsEveryPluginIs: from the config file's
// "hooks" too; a hook nobody has fails validate, naming it and its event.
func TestE2E_hookPluginsAreFoundAsEveryPluginIs(t *testing.T) {
	e := newEnv(t)
	config := e.writeFile("pc.json", fmt.Sprintf(`{"hooks": {"mark": %q}}`, testPlugin("packer-hook-mark")))
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
	e.writeFile("t.json", hooksTemplate)
	if r := e.run("build", "-color=false", "t.json"); r.code != 0 || !strings.Contains(r.stdout, "hook mark: event packer_provision") {
		t.Errorf("packer build with the hook from the config file: %v", r)
	}
	if r := e.run("plugins"); !hasPluginRow(r.stdout, "hook", "mark", "config", testPlugin("packer-hook-mark")) {
		t.Errorf("packer plugins does not list the configured hook\n%v", r)
	}

	e.writeFile("nobody.json", `{"hooks": {"packer_provision": ["nobody"]}, "builders": [{"type": "null"}]}`)
	r := e.run("validate", "nobody.json")
	if r.code != 1 {
		t.Fatalf("packer validate: want exit 1 for a hook nobody has\n%v", r)
	}
	for _, want := range []string{"packer-hook-nobody", "hooks.packer_provision"} {
		mustContain(t, r, "stderr", want)
	}
}
