//go:build unix

package plugin

import (
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/packer-classic/packer/internal/procgroup"
)

// setProcessGroup puts the plugin in a process group of its own, so Kill
// reaches the plugin's children too.
func setProcessGroup(cmd *exec.Cmd) {
	procgroup.SetGroup(cmd)
	setParentDeathSignal(cmd.SysProcAttr)
}

// killProcessGroup kills the plugin and every process of its group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Process.Kill()
}

// heldSignals are the signals a plugin catches and drops (see holdSignals).
func heldSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGPIPE} }

// parentWatchInterval is how often a plugin checks that its core is alive.
const parentWatchInterval = time.Second

// parentGone returns a channel closed when the process that started the
// plugin goes away, even by SIGKILL: the plugin is re-parented, and its
// parent pid changes.
func parentGone() <-chan struct{} {
	gone := make(chan struct{})
	parent := os.Getppid()
	if parent <= 1 {
		return gone // already orphaned or started by init: nothing to watch
	}
	go func() {
		ticker := time.NewTicker(parentWatchInterval)
		defer ticker.Stop()
		for range ticker.C {
			if os.Getppid() != parent {
				close(gone)
				return
			}
		}
	}()
	return gone
}

// redirectStdout sends everything written to the plugin's standard output
// after the handshake line to its standard error, the core's log: the
// descriptor itself is replaced, so a write from a C library or a child
// process lands in the log too, and descriptor 1 stays open for the life of
// the process (a closed descriptor 1 would be reused by the next file the
// plugin opens, and a stray write would land in that file). os.Stdout
// keeps its *os.File, which now writes to the log.
func redirectStdout() (keep *os.File) {
	if err := dupStderrOntoStdout(); err != nil {
		// Without the descriptor, Go's own prints are redirected at least.
		keep, os.Stdout = os.Stdout, os.Stderr
	}
	return keep
}

// exitLike is the exit code that makes this process end as state says its
// child did: the same status, or (re-raised here) the same signal, which
// is what the core then reports. 128+N is the fallback for a signal that
// does not end a Go program when sent to itself.
func exitLike(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		syscall.Kill(os.Getpid(), ws.Signal())
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}
