package local

import (
	"context"
	"os/exec"
	"time"
)

// waitDelay bounds how long a cancelled command's output is waited for: a
// child that left the command's process group may still hold the pipes.
const waitDelay = 2 * time.Second

// Command returns an exec.Cmd for name and args that runs in a process group
// of its own, so that cancelling ctx kills the command and everything it
// started, and whose Wait returns soon after even if a stray descendant
// still holds its output pipes.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	setGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd
}
