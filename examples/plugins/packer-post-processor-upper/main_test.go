package main

import (
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// TestPostProcessor runs the framework's conformance kit on the
// post-processor, with an artifact of one file as its input.
func TestPostProcessor(t *testing.T) {
	packertest.TestPostProcessor(t, packertest.PostProcessorHarness{
		New:    func(*testing.T) packer.PostProcessor { return new(PostProcessor) },
		Config: func(*testing.T) map[string]any { return map[string]any{} },
		Input:  func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "greeting.txt") },
	})
}
