package manifest

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
			return map[string]any{"output": filepath.Join(t.TempDir(), "manifest.json")}
		},
		Input: func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "image.raw") },
	})
}
