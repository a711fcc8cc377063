package packertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// Provisioner is the provisioner of a plugin under test.
type Provisioner struct {
	config struct {
		Message string `mapstructure:"message"`
	}
}

// Prepare reads the template's configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	return packer.DecodeConfig(&p.config, raws...)
}

// Provision runs a command in the machine being built.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	status, err := (&packer.RemoteCmd{Command: "echo " + p.config.Message}).RunWithUi(ctx, comm, ui)
	if err == nil && status != 0 {
		err = fmt.Errorf("echo exited %d", status)
	}
	if err == nil {
		return ctx.Err() // a cancelled run is an error, even when its command finished
	}
	return packer.Cancelled(ctx, err) // says it was cancelled, when it was
}

// testProvisioner is the test a plugin's main_test.go holds, as
// func TestProvisioner(t *testing.T): one call runs every rule of
// packer.Provisioner's contract against the provisioner, each rule a
// subtest named for what it checks.
func testProvisioner(t *testing.T) {
	packertest.TestProvisioner(t, packertest.ProvisionerHarness{
		New:    func(*testing.T) packer.Provisioner { return new(Provisioner) },
		Config: func(*testing.T) map[string]any { return map[string]any{"message": "hello"} },
		// What Provision runs through: a communicator on this machine.
		Communicator: func(t *testing.T) packer.Communicator { return &local.Communicator{Dir: t.TempDir()} },
	})
}

// A plugin tests its component with the kit of its interface
// (TestBuilder, TestProvisioner, TestPostProcessor, TestCommunicator,
// TestUi); testProvisioner above is the whole test. The kits take a
// constructor, so the same test can run on the component served by a
// plugin process (see docs/plugins.md, "Across a plugin process").
func ExampleTestProvisioner() {
	_ = testProvisioner // go test runs it: TestExample_provisionerPassesTheKit
}
