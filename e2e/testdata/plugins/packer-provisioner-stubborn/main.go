// Command packer-provisioner-stubborn is a provisioner plugin that ignores
// its context, as a careless third-party plugin might; the end-to-end tests
// give it a "timeout" and check that the build does not wait for it nor
// pass. Its "mode":
//
//	late    returns success "late_ms" milliseconds after its context is done
//	forever never returns
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type provisioner struct {
	config struct {
		Mode   string `mapstructure:"mode"`
		LateMS int    `mapstructure:"late_ms"`
	}
}

func (p *provisioner) Prepare(raws ...any) error {
	if err := packer.DecodeConfig(&p.config, raws...); err != nil {
		return err
	}
	if p.config.Mode != "late" && p.config.Mode != "forever" {
		return fmt.Errorf("mode %q: use late or forever", p.config.Mode)
	}
	return nil
}

func (p *provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	ui.Say(fmt.Sprintf("stubborn provisioner in pid %d ignores its context", os.Getpid()))
	<-ctx.Done()
	if p.config.Mode == "forever" {
		select {}
	}
	time.Sleep(time.Duration(p.config.LateMS) * time.Millisecond)
	ui.Say("stubborn provisioner finished late")
	return nil
}

func main() { plugin.ServeProvisioner(new(provisioner)) }
