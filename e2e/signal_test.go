//go:build unix

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// liveRun is a packer process the test talks to while it runs.
type liveRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout chan string // one line at a time; closed at EOF
	stderr chan string
}

func (e *env) start(args ...string) *liveRun {
	e.t.Helper()
	return e.startCmd(e.command(args...))
}

// startCmd starts a packer command the test prepared (e.command) and talks
// to it while it runs.
func (e *env) startCmd(cmd *exec.Cmd) *liveRun {
	e.t.Helper()
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	r := &liveRun{t: e.t, cmd: cmd, stdout: lines(outPipe), stderr: lines(errPipe)}
	e.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return r
}

func lines(r io.Reader) chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		s := bufio.NewScanner(r)
		for s.Scan() {
			ch <- s.Text()
		}
	}()
	return ch
}

// waitFor reads lines from ch until one contains want, and returns it. The
// test fails if the stream ends first.
func (r *liveRun) waitFor(ch chan string, want string) string {
	r.t.Helper()
	var seen []string
	for line := range ch {
		if strings.Contains(line, want) {
			return line
		}
		seen = append(seen, line)
	}
	r.t.Fatalf("output ended without %q; saw:\n%s", want, strings.Join(seen, "\n"))
	return ""
}

// wait drains the output and returns the exit code and the rest of stdout
// and stderr.
func (r *liveRun) wait() (int, string, string) {
	r.t.Helper()
	var out, errOut []string
	for line := range r.stdout {
		out = append(out, line)
	}
	for line := range r.stderr {
		errOut = append(errOut, line)
	}
	err := r.cmd.Wait()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	return code, strings.Join(out, "\n"), strings.Join(errOut, "\n")
}

func (r *liveRun) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// pidFrom reads the pid from a plugin's "... pid N" line.
func pidFrom(t *testing.T, line string) int {
	t.Helper()
	var pid int
	if _, err := fmt.Sscanf(line[strings.LastIndex(line, "pid "):], "pid %d", &pid); err != nil {
		t.Fatalf("no pid in %q: %v", line, err)
	}
	return pid
}

// assertGone fails if a process with this pid still exists (packer reaps its
// plugins before it exits, so a live or zombie pid means one was left).
func assertGone(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("plugin process %d is still there after packer exited (kill 0: %v)", pid, err)
	}
}

func TestE2E_interruptCancelsThroughPluginAndExitsWithInterruptCode(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	r := e.start("hello", "wait")
	pid := pidFrom(t, r.waitFor(r.stdout, "waiting in pid"))

	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	if !strings.Contains(out, "cancelled, cleaned up") {
		t.Errorf("the plugin's cleanup output did not reach stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "cancelling") {
		t.Errorf("stderr does not say the run is being cancelled:\n%s", errOut)
	}
	assertGone(t, pid)
}

func TestE2E_secondInterruptKillsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r := e.start("hello", "stubborn")
	pid := pidFrom(t, r.waitFor(r.stdout, "waiting in pid"))

	r.signal(syscall.SIGTERM)
	r.waitFor(r.stderr, "Press Ctrl-C again")
	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	if !strings.Contains(errOut, "killing every plugin") {
		t.Errorf("stderr does not say plugins are being killed:\n%s", errOut)
	}
	// At once: no grace for the plugin to exit by itself first.
	if strings.Contains(errOut, "after its connection closed; killing it") {
		t.Errorf("the second interrupt waited for the plugin to exit by itself before killing it:\n%s", errOut)
	}
	// Nothing claims a cleanup that the second interrupt cut short.
	if strings.Contains(errOut, "cleaned up") {
		t.Errorf("after a second interrupt, packer says builds were cleaned up:\n%s", errOut)
	}
	assertGone(t, pid)
}

// TestE2E_interruptDoesNotWaitForACommandItsCommunicatorCannotEnd: a
// builder plugin's communicator that never reports the exit of a command
// whose child holds the output pipes. Ctrl-C still ends the build after a
// short grace, not after the two-minute cleanup limit, and the errors say
// what happened rather than that a plugin exited unexpectedly.
func TestE2E_interruptDoesNotWaitForACommandItsCommunicatorCannotEnd(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{
		"builders": [{"type": "probe", "mode": "naive-comm"}],
		"provisioners": [{"type": "shell", "inline": ["sleep 1000 &", "echo naive command in pid $$", "sleep 1000"]}]
	}`)
	r := e.start("build", tpl)
	r.waitFor(r.stdout, "naive command in pid")
	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	for _, bad := range []string{"Cleanup did not finish", "exited unexpectedly"} {
		if strings.Contains(out+errOut, bad) {
			t.Errorf("output says %q:\nstdout:\n%s\nstderr:\n%s", bad, out, errOut)
		}
	}
	if !strings.Contains(out+errOut, "did not end within") {
		t.Errorf("nothing says the command was given up on:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	assertNoProcessesFrom(t, bins.dir, bins.extras)
}

func TestE2E_interruptDuringBuildCleansUpAndLeavesNoPlugin(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "one", "mode": "wait"}, {"type": "probe", "name": "two", "mode": "wait"}]}`)
	r := e.start("build", tpl)
	pids := []int{pidFrom(t, r.waitFor(r.stdout, "probe building")), pidFrom(t, r.waitFor(r.stdout, "probe building"))}
	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	if !strings.Contains(out, "probe cleaned up one") || !strings.Contains(out, "probe cleaned up two") {
		t.Errorf("each build should clean up before packer exits:\n%s", out)
	}
	for _, pid := range pids {
		assertGone(t, pid)
	}
	assertNoProcessesFrom(t, bins.dir, bins.extras)
}

func TestE2E_aBuilderThatReturnsAnArtifactAfterTheInterruptIsNotASuccess(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "slow", "mode": "late"}]}`)
	r := e.start("build", tpl)
	r.waitFor(r.stdout, "probe building slow")
	r.signal(syscall.SIGINT)
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit code = %d, want %d", code, exitInterrupted)
	}
	if strings.Contains(out, "The artifacts of successful builds are") {
		t.Errorf("an interrupted build is listed as successful:\n%s", out)
	}
	if !strings.Contains(errOut, "cancelled, though its builder returned an artifact after the cancel, left as it is (probe artifact probe-slow)") {
		t.Errorf("the summary does not say the build was cancelled and what its builder left:\n%s", errOut)
	}
}
