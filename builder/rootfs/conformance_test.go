package rootfs

import (
	"path/filepath"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestBuilder_passesTheBuilderKit(t *testing.T) {
	packertest.TestBuilder(t, packertest.BuilderHarness{
		New: func(*testing.T) packer.Builder { return new(Builder) },
		Config: func(t *testing.T) map[string]any {
			return map[string]any{"output_directory": filepath.Join(t.TempDir(), "out"), "format": "tar.gz"}
		},
	})
}
