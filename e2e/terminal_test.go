package e2e

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

// rawControl reports the first control character (other than newline and
// tab) in s, which would reach the terminal as a command to it.
func rawControl(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return r, true
		}
	}
	return 0, false
}

// TestE2E_controlCharactersAreEscapedInTheLogAndMachineReadableOutput: what
// a plugin prints to its stderr (the PACKER_LOG stream), says through the
// Ui, or a provisioner's command prints in -machine-readable mode reaches
// the terminal with its control characters escaped, never raw.
func TestE2E_controlCharactersAreEscapedInTheLogAndMachineReadableOutput(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r := e.run("hello", "control")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stderr", `hello log: \x1b[2J\x1b]0;retitled\x07 end`)
	mustContain(t, r, "stdout", `hello say: \x1b[31mred\x1b[0m\x07 end`)
	for where, out := range map[string]string{"the log (stderr)": r.stderr, "stdout": r.stdout} {
		if c, ok := rawControl(out); ok {
			t.Errorf("a raw control character %q reached %s\n%v", c, where, r)
		}
	}

	e.extra = nil
	e.writeFile("t.json", `{
		"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "shell-local", "inline": ["printf 'out \\033[2J end\\n'", "printf 'err \\033]0;retitled\\007 end\\n' >&2"]}]
	}`)
	r = e.run("build", "-machine-readable", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", `out \x1b[2J end`)
	mustContain(t, r, "stdout", `err \x1b]0;retitled\x07 end`)
	if c, ok := rawControl(r.stdout); ok {
		t.Errorf("a raw control character %q reached the machine-readable output\n%v", c, r)
	}
}
