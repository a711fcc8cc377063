//go:build windows

package procgroup

import (
	"os/exec"
)

// SetGroup does nothing: Windows has no process groups of this kind, and
// Kill ends the command's own process only.
func SetGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
