//go:build unix

package e2e

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// debugServer is a plugin started by hand with -debug-server, as an author
// would under a debugger.
type debugServer struct {
	cmd *exec.Cmd
	// env is the PACKER_REATTACH_PLUGINS=JSON entry for the core's
	// environment (the plugin prints VAR='JSON', for a shell).
	env string
	// addr is where the plugin listens.
	addr string
}

// startDebugServer copies the test plugin onto PATH and starts it with
// -debug-server; it is killed when the test ends.
func (e *env) startDebugServer(name string) *debugServer {
	e.t.Helper()
	path := e.copyPlugin(name, e.pathDir)
	cmd := e.command()
	cmd.Path, cmd.Args = path, []string{path, "-debug-server"}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		e.t.Fatal(err)
	}
	variable, value, _ := strings.Cut(strings.TrimSpace(line), "=")
	value = strings.Trim(value, "'")
	var reattach map[string]struct{ Addr string }
	if err := json.Unmarshal([]byte(value), &reattach); err != nil {
		e.t.Fatalf("the debug server printed %q: %v", line, err)
	}
	return &debugServer{cmd: cmd, env: variable + "=" + value, addr: reattach[name].Addr}
}

// TestE2E_reattachingToAPluginRunningUnderADebugger starts packer-plugin-duo
// with -debug-server, as an author would under a debugger, and builds with
// PACKER_REATTACH_PLUGINS set to the line it printed: packer uses the running
// plugin and leaves it running.
func TestE2E_reattachingToAPluginRunningUnderADebugger(t *testing.T) {
	e := newEnv(t)
	dbg := e.startDebugServer("packer-plugin-duo")
	e.extra = append(e.extra, dbg.env, "PACKER_LOG=1")
	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stderr", "reattaching")
	data, _ := os.ReadFile(filepath.Join(e.dir, "duo.txt"))
	if want := "built by pid " + strconv.Itoa(dbg.cmd.Process.Pid); !strings.HasPrefix(string(data), want) {
		t.Errorf("duo.txt = %q, want it built by the debug server (%s)", data, want)
	}
	if err := dbg.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Error("packer killed the plugin it reattached to")
	}
}

// TestE2E_idleConnectionsToADebugServerDoNotKeepTheCoreOut opens two local
// connections to a plugin's -debug-server that never say a word (each held
// for the full key-proof timeout when connections were checked one at a
// time), then builds with the plugin reattached: the core is served at once.
func TestE2E_idleConnectionsToADebugServerDoNotKeepTheCoreOut(t *testing.T) {
	e := newEnv(t)
	dbg := e.startDebugServer("packer-plugin-duo")
	for range 2 {
		idle, err := net.Dial("tcp", dbg.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close()
	}
	e.extra = append(e.extra, dbg.env)
	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatalf("the core was kept out by idle connections\n%v", r)
	}
	data, _ := os.ReadFile(filepath.Join(e.dir, "duo.txt"))
	if want := "built by pid " + strconv.Itoa(dbg.cmd.Process.Pid); !strings.HasPrefix(string(data), want) {
		t.Errorf("duo.txt = %q, want it built by the debug server (%s)", data, want)
	}
}
