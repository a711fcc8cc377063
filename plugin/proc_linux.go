package plugin

import "syscall"

// setParentDeathSignal asks Linux to send the plugin SIGTERM when the
// thread that started it dies; the plugin then winds down as when its
// connection closes, letting running calls kill their commands.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}

// dupStderrOntoStdout makes descriptor 1 a copy of descriptor 2.
func dupStderrOntoStdout() error { return syscall.Dup3(2, 1, 0) }
