package checksum

import (
	"path/filepath"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestPostProcessor_passesThePostProcessorKit(t *testing.T) {
	packertest.TestPostProcessor(t, packertest.PostProcessorHarness{
		New: func(*testing.T) packer.PostProcessor { return new(PostProcessor) },
		Config: func(t *testing.T) map[string]any {
			return map[string]any{"checksum_types": []any{"sha256"}, "output": filepath.Join(t.TempDir(), "{{.ChecksumType}}.sum")}
		},
		Input: func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "image.raw") },
	})
}
