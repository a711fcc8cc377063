package packer

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// ExitStatusOf turns what exec.Cmd.Wait returned into the exit status a
// Communicator reports (see RemoteCmd.ExitStatus): 0 for nil, the process's
// status when it exited, 128+N when signal N killed it (as shells report
// it), and 1 for an error that is not about the process's exit (its output
// could not be copied, say).
func ExitStatusOf(waitErr error) int {
	if waitErr == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		return ProcessExitStatus(exitErr.ProcessState)
	}
	return 1
}

// ProcessExitStatus is the exit status of a process that has ended: its
// exit code, or 128+N when signal N killed it.
func ProcessExitStatus(state *os.ProcessState) int {
	if state == nil {
		return 1
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	if code := state.ExitCode(); code >= 0 {
		return code
	}
	return 1
}
