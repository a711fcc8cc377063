package packertest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/internal/exitstatus"
	"github.com/packer-classic/packer/packer"
)

// brokenEnv selects, in a re-executed test binary, which rule the
// communicator under the kit breaks.
const brokenEnv = "PACKERTEST_BROKEN_COMMUNICATOR"

// TestCommunicator_reportsEachBrokenRule runs the kit, in a child test
// process, against communicators that each break one rule, and checks that
// the kit fails naming that rule.
func TestCommunicator_reportsEachBrokenRule(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the kit runs POSIX shell commands")
	}
	for broken, want := range map[string]string{
		"signal-as-minus-one": "a command killed by signal N reports 128+N, never -1",
		"unsynchronised":      "written by two goroutines at once",
		"exits-before-output": "all output is written before SetExited",
	} {
		t.Run(broken, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenCommunicatorUnderTheKit$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+broken)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed a communicator whose rule %q is broken:\n%s", want, out)
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("the kit failed without naming the broken rule %q:\n%s", want, out)
			}
		})
	}
}

func TestBrokenCommunicatorUnderTheKit(t *testing.T) {
	broken := os.Getenv(brokenEnv)
	if broken == "" {
		t.Skip("run by TestCommunicator_reportsEachBrokenRule")
	}
	TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
		return &brokenCommunicator{Communicator: &local.Communicator{}, broken: broken}, t.TempDir()
	})
}

// brokenCommunicator is a local communicator with one rule broken.
type brokenCommunicator struct {
	*local.Communicator
	broken string
}

func (c *brokenCommunicator) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	cmd := local.Command(ctx, "/bin/sh", "-c", rc.Command)
	cmd.Stdin = rc.Stdin
	switch c.broken {
	case "unsynchronised":
		// Two distinct wrappers: os/exec copies them in two goroutines.
		cmd.Stdout, cmd.Stderr = &writerOnly{rc.Stdout}, &writerOnly{rc.Stderr}
	case "exits-before-output":
		// Reports the exit as soon as the process is gone, while os/exec
		// still copies the last of its output from the pipes.
		cmd.Stdout, cmd.Stderr = rc.Stdout, rc.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() {
			state, _ := cmd.Process.Wait()
			rc.SetExited(exitstatus.Of(state))
			cmd.Wait()
		}()
		return nil
	default:
		cmd.Stdout, cmd.Stderr = rc.Stdout, rc.Stderr
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		cmd.Wait()
		status := exitstatus.Of(cmd.ProcessState)
		if c.broken == "signal-as-minus-one" && status > 128 {
			status = -1
		}
		rc.SetExited(status)
	}()
	return nil
}

type writerOnly struct{ w io.Writer }

func (w *writerOnly) Write(p []byte) (int, error) {
	if w.w == nil {
		return len(p), nil
	}
	return w.w.Write(p)
}
