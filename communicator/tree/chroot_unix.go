//go:build unix

package tree

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

func chroot(cmd *exec.Cmd, root string) error {
	if os.Geteuid() != 0 {
		return errors.New(`"chroot": true needs packer to run as root; run as root, or leave chroot off to run commands with the tree as working directory`)
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Chroot = root
	cmd.Dir = "/"
	return nil
}
