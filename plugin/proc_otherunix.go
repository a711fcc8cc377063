//go:build unix && !linux

package plugin

import (
	"os"
	"syscall"
)

// setParentDeathSignal does nothing where there is no parent-death signal;
// parentGone covers those systems.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// dupStderrOntoStdout makes descriptor 1 a copy of descriptor 2.
func dupStderrOntoStdout() error { return syscall.Dup2(2, 1) }

// endOwnGroup kills the process group this process leads (a core starts
// every plugin leading one) when its core is gone: what the plugin started
// and left behind, which no core is left to kill. With no list of a
// group's members here, the group is killed whole, this process with it;
// so it is done only when the core is gone, and otherwise left to the core.
func endOwnGroup(coreGone bool) {
	if coreGone && syscall.Getpgrp() == os.Getpid() {
		syscall.Kill(0, syscall.SIGKILL)
	}
}
