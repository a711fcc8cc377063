package plugin

import "syscall"

// setParentDeathSignal asks Linux to kill the plugin when the thread that
// started it dies.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
