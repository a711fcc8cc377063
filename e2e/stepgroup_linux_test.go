package e2e

import (
	"strings"
	"testing"
)

// TestE2E_whatAProvisionerCommandLeftRunningEndsWithItsStep: a command that
// puts a process in the background (with its output redirected or not) is
// done when the command exits; what it left running is killed then, and
// does not hold the build up. Packer leaves such processes running (and
// waits for one that keeps the output open); see docs/lifecycle.md.
func TestE2E_whatAProvisionerCommandLeftRunningEndsWithItsStep(t *testing.T) {
	for _, c := range []struct{ name, provisioner string }{
		{"shell-local, output redirected", `{"type": "shell-local", "inline": ["sleep 1000 >/dev/null 2>&1 &", "echo left a child in pid $!"]}`},
		{"shell-local, output not redirected", `{"type": "shell-local", "inline": ["sleep 1000 &", "echo left a child in pid $!"]}`},
		{"shell on the local communicator, output redirected", `{"type": "shell", "inline": ["sleep 1000 >/dev/null &", "echo left a child in pid $!"]}`},
		{"shell on the local communicator, output not redirected", `{"type": "shell", "inline": ["sleep 1000 &", "echo left a child in pid $!"]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "local"}], "provisioners": [`+c.provisioner+`]}`)
			r := e.run("build", "t.json")
			var line string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.Contains(l, "left a child in pid") {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("the command did not say its child's pid\n%v", r)
			}
			defer waitGone(t, pidFrom(t, line), "the process the provisioner's command left running")
			if r.code != 0 {
				t.Errorf("want the build to succeed\n%v", r)
			}
		})
	}
}
