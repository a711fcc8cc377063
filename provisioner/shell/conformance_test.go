package shell

import (
	"runtime"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestProvisioner_passesTheProvisionerKit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs sh")
	}
	packertest.TestProvisioner(t, packertest.ProvisionerHarness{
		New: func(*testing.T) packer.Provisioner { return new(Provisioner) },
		Config: func(t *testing.T) map[string]any {
			return map[string]any{"inline": []any{"echo provisioned by the kit"}, "remote_folder": t.TempDir()}
		},
		Communicator: func(t *testing.T) packer.Communicator { return &local.Communicator{Dir: t.TempDir()} },
	})
}
