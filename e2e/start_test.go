package e2e

import (
	"bytes"
	"os/exec"
)

// bufferedRun is a packer run going on in the background whose output is
// kept whole, for tests that act on the machine while it runs and need to
// know if it ends early (liveRun is for tests that follow its output line
// by line).
type bufferedRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	// exited receives Wait's error once packer has exited.
	exited chan error
}

// startBuffered starts packer with args in the test's directory, without
// waiting for it.
func (e *env) startBuffered(args ...string) *bufferedRun {
	e.t.Helper()
	s := &bufferedRun{cmd: e.command(args...), exited: make(chan error, 1)}
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		e.t.Fatalf("starting packer %q: %v", args, err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	return s
}

// result is what the run printed, once it has exited with err.
func (s *bufferedRun) result(err error) packerRun {
	r := packerRun{stdout: s.stdout.String(), stderr: s.stderr.String()}
	if exitErr, ok := err.(*exec.ExitError); ok {
		r.code = exitErr.ExitCode()
	}
	return r
}
