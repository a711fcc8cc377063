package main

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
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && len(processesFrom(bins.dir)) > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	assertNoProcessesFrom(t, bins.dir)
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
			t.Fatalf("%s (pid %d) still runs 10s after packer was killed", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processesFrom lists live processes running an executable from dir.
func processesFrom(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(cmdline) == 0 {
			continue
		}
		if strings.HasPrefix(string(cmdline), dir+"/") {
			found = append(found, e.Name())
		}
	}
	return found
}
