package qemu

import (
	"os/exec"
	"syscall"
)

// dieWithPlugin has the kernel kill cmd's process if the plugin process
// dies, whatever kills it (even SIGKILL, which leaves no cleanup to run).
func dieWithPlugin(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
