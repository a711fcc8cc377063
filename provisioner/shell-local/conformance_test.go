package shelllocal

import (
	"runtime"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestProvisioner_passesTheProvisionerKit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs sh")
	}
	packertest.TestProvisioner(t, packertest.ProvisionerHarness{
		New:    func(*testing.T) packer.Provisioner { return new(Provisioner) },
		Config: func(*testing.T) map[string]any { return map[string]any{"inline": []any{"echo provisioned by the kit"}} },
	})
}
