//go:build unix

package procgroup

import (
	"os/exec"
	"syscall"
)

// SetGroup makes cmd start in a process group of its own, which it leads
// (its pid is the group's id), keeping the rest of its SysProcAttr.
func SetGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killGroup kills the group the command leads. The group outlives its
// leader while any member lives, and its id cannot be reused until then,
// so this is safe after the command exited.
func killGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
