// Package breakpoint is Packer's breakpoint provisioner: it pauses the
// build until the user presses Enter, so they can look at the machine being
// built. Without a terminal to ask on it says so and lets the build go on.
package breakpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// Config is the breakpoint provisioner's configuration.
type Config struct {
	// Note is shown while paused.
	Note string `mapstructure:"note"`
	// Disable turns the breakpoint off without removing it.
	Disable bool `mapstructure:"disable"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Provisioner is the breakpoint provisioner. Its zero value is ready for
// Prepare.
type Provisioner struct {
	config Config
}

// Prepare reads the configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	p.config = c
	return nil
}

// Provision waits for Enter, unless disabled or there is no terminal.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	if p.config.Disable {
		ui.Say("Breakpoint disabled, continuing...")
		return nil
	}
	message := "Pausing at breakpoint provisioner."
	if p.config.Note != "" {
		message = fmt.Sprintf("Pausing at breakpoint provisioner with note %q.", p.config.Note)
	}
	ui.Say(message)
	answered := make(chan error, 1)
	go func() {
		_, err := ui.Ask("Press enter to continue.")
		answered <- err
	}()
	select {
	case err := <-answered:
		// Both may be ready at once; a cancelled build must not pass.
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, packer.ErrNoTerminal) {
			ui.Say("No terminal to wait on: skipping the breakpoint.")
			return nil
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
