package breakpoint

import (
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestProvisioner_passesTheProvisionerKit(t *testing.T) {
	packertest.TestProvisioner(t, packertest.ProvisionerHarness{
		New:    func(*testing.T) packer.Provisioner { return new(Provisioner) },
		Config: func(*testing.T) map[string]any { return map[string]any{"note": "the kit"} },
	})
}
