package packer

import "context"

// PostProcessor turns an artifact into another artifact: it compresses it,
// checksums it, uploads it, records it in a manifest.
type PostProcessor interface {
	// Prepare receives the post-processor's configuration, as
	// Builder.Prepare does, and returns every problem with it at once.
	Prepare(raws ...interface{}) error

	// PostProcess processes a and returns the resulting artifact. keep asks
	// the core to keep the input artifact (not to Destroy it) even when the
	// template does not set keep_input_artifact.
	PostProcess(ctx context.Context, ui Ui, a Artifact) (result Artifact, keep bool, err error)
}
