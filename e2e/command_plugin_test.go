package e2e

// End-to-end tests of a packer-command-NAME plugin's contract with packer
// (packer.Command): its exit status, its Help and its Synopsis, each
// crossing from the plugin process to what the user sees.

import (
	"strings"
	"testing"
)

// TestE2E_commandPluginExitStatusIsPackers: Run returns the process exit
// status, so a plugin command that returns 3 makes packer exit 3.
func TestE2E_commandPluginExitStatusIsPackers(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	r := e.run("hello", "fail")
	if r.code != 3 {
		t.Errorf("packer hello fail (Run returns 3): want exit 3\n%v", r)
	}
	mustContain(t, r, "stderr", "asked to fail")
	if r := e.run("hello", "world"); r.code != 0 {
		t.Errorf("packer hello world (Run returns 0): want exit 0\n%v", r)
	}
}

// TestE2E_commandPluginHelpIsShownByPacker: -h, -help, --help and
// `packer help NAME` show the plugin's Help() and exit 0, without running
// the command (the test plugin's Run would greet "-h").
func TestE2E_commandPluginHelpIsShownByPacker(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	for _, args := range [][]string{
		{"hello", "-h"}, {"hello", "-help"}, {"hello", "--help"},
		{"hello", "world", "-h"}, {"help", "hello"},
	} {
		r := e.run(args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Says hello (a test plugin).") || strings.Contains(r.stdout, "hello from a plugin") {
			t.Errorf("packer %s: want the plugin's Help() and exit 0, the command not run\n%v", strings.Join(args, " "), r)
		}
	}
	// After "--" a -h is the command's argument.
	r := e.run("hello", "--", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "hello from a plugin: -- -h") {
		t.Errorf("packer hello -- -h: want the command run with its arguments\n%v", r)
	}
}

// TestE2E_helpListsPluginCommandsWithTheirSynopsis: `packer help` lists
// each command plugin it finds with the Synopsis() the plugin gives.
func TestE2E_helpListsPluginCommandsWithTheirSynopsis(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	r := e.run("help")
	if r.code != 0 {
		t.Fatalf("packer help: %v", r)
	}
	found := false
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "hello" && strings.Join(f[1:], " ") == "Says hello" {
			found = true
		}
	}
	if !found {
		t.Errorf("packer help: want a line \"hello  Says hello\" for the plugin command\n%v", r)
	}
}
