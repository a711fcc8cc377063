package packertest

import (
	"context"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// PostProcessorHarness says how TestPostProcessor makes and configures the
// post-processor under test, and what it processes.
type PostProcessorHarness struct {
	// New returns a fresh post-processor; it is called once per rule.
	New func(t *testing.T) packer.PostProcessor
	// Config returns a valid configuration for it.
	Config func(t *testing.T) map[string]any
	// Input returns a fresh artifact for it to process (its files under
	// t.TempDir(), say); it is called once per rule.
	Input func(t *testing.T) packer.Artifact
}

// TestPostProcessor checks a PostProcessor against the contract written on
// packer.PostProcessor: Prepare as TestBuilder checks it; PostProcess
// succeeds and returns an artifact whose facts are set and whose files exist
// until Destroy removes them (or no artifact); with a cancelled context it
// returns an error wrapping context.Canceled and no artifact.
func TestPostProcessor(t *testing.T, h PostProcessorHarness) {
	checkPrepare(t, h.Config, func(t *testing.T, raws ...any) error { return h.New(t).Prepare(raws...) })
	prepared := func(t *testing.T) packer.PostProcessor {
		p := h.New(t)
		if err := p.Prepare(h.Config(t), CoreKeys("kit", "kit")); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		return p
	}
	t.Run("PostProcess", func(t *testing.T) {
		p := prepared(t)
		var result packer.Artifact
		var err error
		within(t, "PostProcess", func() { result, _, err = p.PostProcess(context.Background(), new(Ui), h.Input(t)) })
		if err != nil {
			t.Fatalf("PostProcess: %v", err)
		}
		if result != nil {
			checkArtifact(t, "the post-processor", result)
		}
	})
	t.Run("AlreadyCancelled", func(t *testing.T) {
		p := prepared(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var result packer.Artifact
		var err error
		within(t, "PostProcess with a cancelled context", func() { result, _, err = p.PostProcess(ctx, new(Ui), h.Input(t)) })
		wantCancelled(t, "PostProcess", err)
		if result != nil {
			t.Errorf("a cancelled PostProcess returned an artifact (%s)", result.String())
		}
	})
}
