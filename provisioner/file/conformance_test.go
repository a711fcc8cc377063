package file

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestProvisioner_passesTheProvisionerKit(t *testing.T) {
	packertest.TestProvisioner(t, packertest.ProvisionerHarness{
		New: func(*testing.T) packer.Provisioner { return new(Provisioner) },
		Config: func(t *testing.T) map[string]any {
			src := filepath.Join(t.TempDir(), "src.txt")
			os.WriteFile(src, []byte("uploaded by the kit\n"), 0o644)
			return map[string]any{"source": src, "destination": filepath.Join(t.TempDir(), "dst.txt")}
		},
		Communicator: func(t *testing.T) packer.Communicator { return &local.Communicator{} },
	})
}
