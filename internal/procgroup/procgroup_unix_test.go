//go:build unix

package procgroup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/exitstatus"
)

// alive reports whether pid is a live process: not gone, not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// waitGone waits for pid to go: a killed process that is not our child is
// reaped by someone else, in their own time.
func waitGone(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("%s (pid %d) still runs 10s after its command ended (the test killed it)", what, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pidIn(t *testing.T, out, prefix string) int {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			pid, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatalf("no %q line in %q", prefix, out)
	return 0
}

func TestWait_whatTheCommandLeftInTheBackgroundIsKilledWhenItExits(t *testing.T) {
	for _, script := range []string{
		"sleep 1000 >/dev/null 2>&1 & echo child $!",
		"sleep 1000 & echo child $!", // holds the output pipes
	} {
		var out bytes.Buffer
		cmd := Command(context.Background(), "/bin/sh", "-c", script)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%q: Run = %v, want success (the command itself exited 0)", script, err)
		}
		waitGone(t, pidIn(t, out.String(), "child "), "the background child of "+script)
	}
}

func TestWait_outputHeldByAProcessThatLeftTheGroupIsNotAnError(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid here")
	}
	var out bytes.Buffer
	cmd := Command(context.Background(), "/bin/sh", "-c", "setsid sleep 1000 & echo child $!; echo done")
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("Run = %v, want success: the command exited 0, and a process outside its group holding the pipes is not its failure", err)
	}
	if !strings.Contains(out.String(), "done") {
		t.Errorf("output %q lost its last line", out.String())
	}
	// The process that left the group is not the command's: the test
	// cleans it up.
	syscall.Kill(pidIn(t, out.String(), "child "), syscall.SIGKILL)
}

func TestCancel_killsTheWholeGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	cmd := Command(ctx, "/bin/sh", "-c", "sleep 1000 & echo child $!; wait")
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(r).ReadString('\n')
	go io.Copy(io.Discard, r)
	cancel()
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Errorf("Wait = %v, want the exit of a killed command", err)
	}
	if got := exitstatus.Of(cmd.ProcessState); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status = %d, want %d, as a shell reports a SIGKILL", got, 128+int(syscall.SIGKILL))
	}
	waitGone(t, pidIn(t, line, "child "), "the cancelled command's child")
}

// neverEnding is a reader that blocks until closed: a stream from another
// process that never reaches EOF.
type neverEnding struct{ closed chan struct{} }

func (n neverEnding) Read([]byte) (int, error) {
	<-n.closed
	return 0, io.EOF
}

func TestWait_returnsWhenTheCommandExitsThoughItsStdinNeverEnds(t *testing.T) {
	in := neverEnding{closed: make(chan struct{})}
	defer close(in.closed)
	cmd := Command(context.Background(), "/bin/sh", "-c", "exit 4")
	cmd.Stdin = in
	err := cmd.Run()
	if got := exitstatus.Of(cmd.ProcessState); got != 4 {
		t.Errorf("status = %d (%v), want 4", got, err)
	}
}

// unsafeWriter fails the race detector if two goroutines write at once.
type unsafeWriter struct{ buf []byte }

func (u *unsafeWriter) Write(p []byte) (int, error) {
	u.buf = append(u.buf, p...)
	return len(p), nil
}

func TestStart_oneWriterForStdoutAndStderrIsWrittenByOneGoroutineAtATime(t *testing.T) {
	w := &unsafeWriter{}
	cmd := Command(context.Background(), "/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo out$i; echo err$i >&2; done")
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 8; i++ {
		for _, s := range []string{"out", "err"} {
			if !strings.Contains(string(w.buf), fmt.Sprintf("%s%d\n", s, i)) {
				t.Errorf("output %q lacks %s%d", w.buf, s, i)
			}
		}
	}
}

// failingWriter refuses everything.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("the Ui is gone") }

func TestWait_aFailingWriterIsReportedAndNeverBlocksTheCommand(t *testing.T) {
	cmd := Command(context.Background(), "/bin/sh", "-c", "head -c 1000000 /dev/zero; echo done >&2")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = failingWriter{}, &stderr
	err := cmd.Run()
	if err == nil || !strings.Contains(err.Error(), "the Ui is gone") {
		t.Errorf("Run = %v, want the writer's error", err)
	}
	if stderr.String() != "done\n" {
		t.Errorf("stderr = %q: the command did not run to its end", stderr.String())
	}
}
