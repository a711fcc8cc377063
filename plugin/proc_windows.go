//go:build windows

package plugin

import (
	"os"
	"os/exec"
)

// heldSignals are the signals a plugin catches and drops (see holdSignals);
// Windows has no SIGPIPE.
func heldSignals() []os.Signal { return []os.Signal{os.Interrupt} }

// setProcessGroup does nothing on Windows; Kill kills the plugin process.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the plugin.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}

// parentGone is never closed on Windows: the plugin exits when its
// connection closes, which happens when the core dies.
func parentGone() <-chan struct{} { return make(chan struct{}) }

// redirectStdout sends the plugin's prints after the handshake line to its
// standard error, the core's log. The original standard output is returned
// for the caller to keep alive, so that the file is not closed (and its
// handle reused) while the plugin runs.
func redirectStdout() (keep *os.File) {
	keep, os.Stdout = os.Stdout, os.Stderr
	return keep
}

// endOwnGroup does nothing on Windows, which has no process groups of this
// kind.
func endOwnGroup(bool) {}

// exitLike is the exit code of the child whose state this is.
func exitLike(state *os.ProcessState) int { return state.ExitCode() }
