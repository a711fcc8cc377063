package artifice

import (
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestPostProcessor_passesThePostProcessorKit(t *testing.T) {
	packertest.TestPostProcessor(t, packertest.PostProcessorHarness{
		New: func(*testing.T) packer.PostProcessor { return new(PostProcessor) },
		Config: func(t *testing.T) map[string]any {
			return map[string]any{"files": []any{packertest.NewFilesArtifact(t, "made.txt").Paths[0]}}
		},
		Input: func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "image.raw") },
	})
}
