package ssh

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel stop sshd when the test binary dies without
// running its cleanups (a panic on -timeout).
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
