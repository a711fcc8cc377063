package main

import (
	"os"
	"strings"
	"testing"
)

// TestE2E_aBreakpointWithStdinFromDevNullDoesNotWait runs a build whose
// breakpoint would wait for Enter, with standard input from /dev/null: a
// character device, but not a terminal. The breakpoint is skipped, saying
// why, and the build succeeds instead of failing on EOF.
func TestE2E_aBreakpointWithStdinFromDevNullDoesNotWait(t *testing.T) {
	e := newEnv(t)
	e.writeFile("t.json", `{
		"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "breakpoint", "note": "look around"}]
	}`)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	cmd := e.command("build", "t.json")
	cmd.Stdin = devNull
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := packerRun{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if err != nil || r.code != 0 {
		t.Fatalf("a breakpoint with stdin from %s: want the build to succeed (%v)\n%v", os.DevNull, err, r)
	}
	mustContain(t, r, "stdout", "No terminal to wait on: skipping the breakpoint.")
}
