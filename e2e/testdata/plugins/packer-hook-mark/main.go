// Command packer-hook-mark is a hook plugin the end-to-end tests run from a
// template's "hooks": it says which event it runs for and the build's ID
// from the data the builder shares, runs a command through the
// communicator when the build has one, and fails when MARK_FAIL is set, so
// that each crosses from the builder, through the core, to this process.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type mark struct{}

func (mark) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	id := "?"
	if m, ok := data.(map[string]any); ok {
		id = fmt.Sprint(m["ID"])
	}
	ui.Say(fmt.Sprintf("hook mark: event %s, build ID %s", name, id))
	if os.Getenv("MARK_FAIL") != "" {
		return errors.New("hook mark: asked to fail")
	}
	if comm == nil {
		ui.Say("hook mark: no communicator")
		return nil
	}
	status, err := (&packer.RemoteCmd{Command: "echo hook mark ran a command"}).RunWithUi(ctx, comm, ui)
	if err == nil && status != 0 {
		err = fmt.Errorf("hook mark: the command exited %d", status)
	}
	return err
}

func main() { plugin.ServeHook(mark{}) }
