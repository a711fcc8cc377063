package plugin_test

import (
	"context"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// Provisioner is a plugin's component: a type that implements one of
// package packer's interfaces, and knows nothing of processes.
type Provisioner struct {
	config struct {
		Greeting string `mapstructure:"greeting"`
	}
}

// Prepare reads the template's configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	return packer.DecodeConfig(&p.config, raws...)
}

// Provision greets on the build's Ui, which lives in the packer process.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	ui.Say(p.config.Greeting)
	return ctx.Err()
}

// A plugin's main is one call: built as packer-provisioner-NAME, the
// program serves the provisioner to the packer that starts it (handshake,
// key proof, calls, cancellation, its stderr to packer's log) and exits
// when packer is done with it; run by hand, it says it is a plugin and
// exits. ServeBuilder, ServePostProcessor, ServeHook and ServeCommand serve
// the other kinds; NewSet serves several from one packer-plugin-NAME
// binary.
func ExampleServeProvisioner() {
	plugin.ServeProvisioner(new(Provisioner))
}
