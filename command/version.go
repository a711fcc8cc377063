package command

import (
	"context"
	"flag"
	"runtime"

	"github.com/packer-classic/packer/packer"
)

// VersionCommand prints the version packer was built as (stamped by the
// Makefile with -ldflags), so bug reports can say which build they ran.
type VersionCommand struct {
	Meta *Meta
}

// Help explains `packer version`.
func (c *VersionCommand) Help() string {
	return `Usage: packer version

  Prints the Packer version, and the Go version and platform it was built for.`
}

// Synopsis is the one line `packer help` shows.
func (c *VersionCommand) Synopsis() string { return "Prints the Packer version" }

// Run prints the version.
func (c *VersionCommand) Run(_ context.Context, ui packer.Ui, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	ui.Machine("version", packer.Version)
	ui.Say("Packer v" + trimV(packer.Version))
	ui.Message(runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH)
	return 0
}

func trimV(v string) string {
	if len(v) > 0 && v[0] == 'v' {
		return v[1:]
	}
	return v
}
