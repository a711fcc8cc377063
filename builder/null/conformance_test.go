package null

import (
	"runtime"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestBuilder_passesTheBuilderKit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the communicator kit runs sh")
	}
	packertest.TestBuilder(t, packertest.BuilderHarness{
		New:             func(*testing.T) packer.Builder { return new(Builder) },
		Config:          func(*testing.T) map[string]any { return map[string]any{"communicator": "local"} },
		CommunicatorDir: t.TempDir(),
	})
}
