package local

import (
	"context"

	"github.com/packer-classic/packer/internal/procgroup"
)

// Command returns a command for name and args that runs in a process group
// of its own, ended when the command exits or ctx is cancelled: whatever
// the command left running (a `sleep 1000 &`) is killed then, so a step is
// over when its command is. Output held open by a process that left the
// group is waited for at most procgroup.WaitDelay.
func Command(ctx context.Context, name string, args ...string) *procgroup.Cmd {
	return procgroup.Command(ctx, name, args...)
}
