// Command packer-command-hello is a command plugin the end-to-end tests
// build and run as `packer hello`: it greets its arguments through the Ui
// (packer shows its Help for -h, never running it), and fails with exit
// status 3 when given "fail", so both exit paths cross the process boundary.
// "wait" blocks until the run is cancelled (a Ctrl-C), then cleans up;
// "env" says the PACKER_RUN_UUID packer gave it and writes a line to its
// stderr, which packer's log should show, prefixed with the plugin's name.
// "stubborn" ignores the cancellation, so only a second Ctrl-C ends the run.
// "control" prints terminal control sequences to the Ui and its stderr, which
// packer must escape before they reach a terminal.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type hello struct{}

func (hello) Help() string     { return "Usage: packer hello [NAME...]\n\n  Says hello (a test plugin)." }
func (hello) Synopsis() string { return "Says hello" }

func (hello) Run(ctx context.Context, ui packer.Ui, args []string) int {
	if len(args) == 1 && args[0] == "fail" {
		ui.Error("hello: asked to fail")
		return 3
	}
	if len(args) == 1 && args[0] == "env" {
		fmt.Fprintln(os.Stderr, "hello plugin writes to its stderr")
		ui.Say("run uuid " + os.Getenv("PACKER_RUN_UUID"))
		return 0
	}
	if len(args) == 1 && args[0] == "control" {
		fmt.Fprintln(os.Stderr, "hello log: \x1b[2J\x1b]0;retitled\x07 end")
		ui.Say("hello say: \x1b[31mred\x1b[0m\x07 end")
		return 0
	}
	if len(args) == 1 && (args[0] == "wait" || args[0] == "stubborn") {
		ui.Say(fmt.Sprintf("waiting in pid %d", os.Getpid()))
		<-ctx.Done()
		if args[0] == "stubborn" {
			select {} // never returns: the core must kill this process
		}
		ui.Say("cancelled, cleaned up")
		return 1
	}
	ui.Say("hello from a plugin: " + strings.Join(args, " "))
	return 0
}

func main() { plugin.ServeCommand(hello{}) }
