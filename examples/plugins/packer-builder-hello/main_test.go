package main

import (
	"path/filepath"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// TestBuilder runs the framework's conformance kit on the builder: every
// rule of packer.Builder's contract, its communicator's included.
func TestBuilder(t *testing.T) {
	packertest.TestBuilder(t, packertest.BuilderHarness{
		New: func(*testing.T) packer.Builder { return new(Builder) },
		Config: func(t *testing.T) map[string]any {
			return map[string]any{"greeting": "hi", "output": filepath.Join(t.TempDir(), "greeting.txt")}
		},
		CommunicatorDir: t.TempDir(),
	})
}
