// Package shelllocal is Packer's shell-local provisioner: it runs commands
// on the machine running packer, not inside the machine being built
// (package internal/localshell runs them, for the shell-local
// post-processor too).
package shelllocal

import (
	"context"

	"github.com/packer-classic/packer/internal/localshell"
	"github.com/packer-classic/packer/packer"
)

// Provisioner is the shell-local provisioner. Its zero value is ready for
// Prepare.
type Provisioner struct {
	config *localshell.Config
}

// Prepare reads and checks the configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	c, err := localshell.Decode(raws...)
	if err != nil {
		return err
	}
	p.config = c
	return nil
}

// Provision runs the commands on this machine.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return localshell.Run(ctx, ui, p.config)
}
