//go:build windows

package tree

import (
	"errors"
	"os/exec"
)

func chroot(*exec.Cmd, string) error {
	return errors.New(`"chroot" is not available on Windows`)
}
