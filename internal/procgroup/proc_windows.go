//go:build windows

package procgroup

import (
	"os/exec"
)

// setGroup does nothing: Windows has no process groups of this kind, and
// Kill ends the command's own process only.
func setGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
