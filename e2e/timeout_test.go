package e2e

import (
	"testing"
)

// stubbornConfig names the stubborn provisioner (it ignores its context) in
// a config file.
func (e *env) stubbornConfig() {
	e.t.Helper()
	config := e.writeFile("packerconfig.json", `{"provisioners": {"stubborn": `+jsonString(testPlugin("packer-provisioner-stubborn"))+`}}`)
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
}

func TestE2E_aProvisionerThatReturnsAfterItsTimeoutFailsTheBuild(t *testing.T) {
	e := newEnv(t)
	e.stubbornConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "stubborn", "mode": "late", "late_ms": 300, "timeout": "200ms"}]}`)
	r := e.run("build", tpl)
	if r.code != 1 {
		t.Fatalf("a provisioner past its timeout: exit %d, want 1\n%v", r.code, r)
	}
	mustContain(t, r, "stderr", `timed out after 200ms (the provisioner's "timeout")`)
}

func TestE2E_aProvisionerThatIgnoresItsTimeoutIsGivenUpOnAndKilled(t *testing.T) {
	e := newEnv(t)
	e.stubbornConfig()
	e.extra = append(e.extra, "PACKER_LOG=1")
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "stubborn", "mode": "forever", "timeout": "200ms"}]}`)
	r := e.run("build", tpl)
	if r.code != 1 {
		t.Fatalf("a provisioner that never returns: exit %d, want 1\n%v", r.code, r)
	}
	mustContain(t, r, "stderr", `timed out after 200ms (the provisioner's "timeout")`)
	mustContain(t, r, "stderr", "Provisioner.Provision went on past its deadline and was given up on; killing the plugin")
}
