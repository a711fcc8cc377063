package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2E_killingTheCoreMidBuildLeavesNoProcess kills packer with SIGKILL
// while a provisioner's command runs: the plugins see their core gone (the
// parent-death signal), cancel what they run, and exit; the command (a
// grandchild of packer, in its own process group) goes too.
func TestE2E_killingTheCoreMidBuildLeavesNoProcess(t *testing.T) {
	e := newEnv(t)
	e.writeFile("template.json", `{
		"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "shell-local", "inline": ["echo sleeping in pid $$", "exec sleep 1000"]}]
	}`)
	r := e.start("build", "template.json")
	sleeper := pidFrom(t, r.waitFor(r.stdout, "sleeping in pid"))

	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	waitGone(t, sleeper, "the provisioner's command")
	waitNoProcessesFrom(t, bins.dir)
}

// waitNoProcessesFrom gives the plugins of a killed core 10 s to wind down,
// then fails for any process still running an executable from dirs.
func waitNoProcessesFrom(t *testing.T, dirs ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && len(processesFrom(dirs...)) > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	assertNoProcessesFrom(t, dirs...)
}

// waitGone polls until pid is gone or a zombie: it is not this test's child,
// so it cannot be waited on.
func waitGone(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X") {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL) // leave nothing behind for the next test
			t.Fatalf("%s (pid %d) still ran 10s after packer exited (the test killed it)", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processesFrom lists live processes running an executable from one of dirs.
func processesFrom(dirs ...string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(cmdline) == 0 {
			continue
		}
		for _, dir := range dirs {
			if strings.HasPrefix(string(cmdline), dir+"/") {
				found = append(found, e.Name())
			}
		}
	}
	return found
}

// sleepyJSONStdio is a json-stdio post-processor that starts a child and
// waits for it, saying both pids on stderr (which reaches the log).
const sleepyJSONStdio = `cat >/dev/null
echo "json-stdio shell in pid $$" >&2
sleep 1000 &
echo "json-stdio child in pid $!" >&2
wait
`

// TestE2E_killingTheCoreDuringAJSONStdioCallLeavesNoProcess: a json-stdio
// plugin runs as a child of the core; SIGKILL of the core ends it and what
// it started.
func TestE2E_killingTheCoreDuringAJSONStdioCallLeavesNoProcess(t *testing.T) {
	r, pids := startSleepyJSONStdio(t)
	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	waitGone(t, pids[0], "the json-stdio plugin")
	waitGone(t, pids[1], "the json-stdio plugin's child")
}

// TestE2E_ctrlCDuringAJSONStdioCallEndsItAndWhatItStarted: the first Ctrl-C
// cancels the call; packer exits 130 and leaves nothing running.
func TestE2E_ctrlCDuringAJSONStdioCallEndsItAndWhatItStarted(t *testing.T) {
	r, pids := startSleepyJSONStdio(t)
	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	waitGone(t, pids[0], "the json-stdio plugin")
	waitGone(t, pids[1], "the json-stdio plugin's child")
}

// startSleepyJSONStdio starts a build whose post-processor is
// sleepyJSONStdio, and returns it once the plugin has said its two pids.
func startSleepyJSONStdio(t *testing.T) (*liveRun, []int) {
	e := newEnv(t)
	e.jsonStdioPlugin("sleepy", sleepyJSONStdio)
	e.writeFile("t.json", `{"builders": [{"type": "null"}], "post-processors": [{"type": "sleepy"}]}`)
	e.extra = append(e.extra, "PACKER_LOG=1")
	return e.startAndReadPids([]string{"build", "t.json"}, "json-stdio shell in pid", "json-stdio child in pid")
}

// startAndReadPids starts packer with args and PACKER_LOG set, and returns
// it with the pid of each log line that contains one of markers, in order.
func (e *env) startAndReadPids(args []string, markers ...string) (*liveRun, []int) {
	e.t.Helper()
	r := e.start(args...)
	var pids []int
	for _, m := range markers {
		pids = append(pids, pidFrom(e.t, r.waitFor(r.stderr, m)))
	}
	return r, pids
}

// TestE2E_killingTheCoreLeavesNoChildOfAPlugin: a plugin's own child (not a
// command run through a communicator: a plain exec of the plugin) goes
// with the plugin when the core is killed with SIGKILL.
func TestE2E_killingTheCoreLeavesNoChildOfAPlugin(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	e.writeFile("t.json", `{"builders": [{"type": "probe", "mode": "child"}]}`)
	r := e.start("build", "t.json")
	child := pidFrom(t, r.waitFor(r.stdout, "probe started a child in pid"))

	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	waitGone(t, child, "the plugin's child")
	waitNoProcessesFrom(t, bins.dir, bins.extras)
}
