// Command packer-command-hello is a command plugin the end-to-end tests
// build and run as `packer hello`: it greets its arguments through the Ui,
// and fails when given "fail", so both exit paths cross the process boundary.
package main

import (
	"context"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type hello struct{}

func (hello) Help() string     { return "Usage: packer hello [NAME...]\n\n  Says hello (a test plugin)." }
func (hello) Synopsis() string { return "Says hello" }

func (hello) Run(_ context.Context, ui packer.Ui, args []string) int {
	if len(args) == 1 && args[0] == "-h" {
		ui.Say(hello{}.Help())
		return 0
	}
	if len(args) == 1 && args[0] == "fail" {
		ui.Error("hello: asked to fail")
		return 3
	}
	ui.Say("hello from a plugin: " + strings.Join(args, " "))
	return 0
}

func main() { plugin.ServeCommand(hello{}) }
