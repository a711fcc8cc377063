// Package exitstatus turns how a local process ended into the exit status a
// packer.Communicator reports (see packer.RemoteCmd.ExitStatus), for the
// communicators and runners that start processes here. It lives apart from
// package packer so that the package every plugin links does not carry
// process handling only these need.
package exitstatus

import (
	"os"
	"syscall"
)

// Of is the exit status of a process that has ended: its exit code, or
// 128+N when signal N killed it (as shells report it), never -1; 1 when
// there is no state (the process never ran).
func Of(state *os.ProcessState) int {
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
