//go:build unix

package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestE2E_reattachingToAPluginRunningUnderADebugger starts packer-plugin-duo
// with -debug-server, as an author would under a debugger, and builds with
// PACKER_REATTACH_PLUGINS set to the line it printed: packer uses the running
// plugin and leaves it running.
func TestE2E_reattachingToAPluginRunningUnderADebugger(t *testing.T) {
	e := newEnv(t)
	path := e.copyPlugin("packer-plugin-duo", e.pathDir)
	dbg := e.command()
	dbg.Path, dbg.Args = path, []string{path, "-debug-server"}
	stdout, _ := dbg.StdoutPipe()
	if err := dbg.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { dbg.Process.Kill(); dbg.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	// The line is VAR='JSON', for a shell; the environment wants VAR=JSON.
	name, value, _ := strings.Cut(strings.TrimSpace(line), "=")
	e.extra = append(e.extra, name+"="+strings.Trim(value, "'"), "PACKER_LOG=1")
	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stderr", "reattaching")
	data, _ := os.ReadFile(filepath.Join(e.dir, "duo.txt"))
	if want := "built by pid " + strconv.Itoa(dbg.Process.Pid); !strings.HasPrefix(string(data), want) {
		t.Errorf("duo.txt = %q, want it built by the debug server (%s)", data, want)
	}
	if err := dbg.Process.Signal(syscall.Signal(0)); err != nil {
		t.Error("packer killed the plugin it reattached to")
	}
}
