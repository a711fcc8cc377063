package packer

import "context"

// PostProcessor turns an artifact into another artifact: it compresses it,
// checksums it, uploads it, records it in a manifest.
// packertest.TestPostProcessor checks an implementation against what
// follows.
type PostProcessor interface {
	// Prepare receives the post-processor's configuration, as
	// Builder.Prepare does, and returns every problem with it at once.
	Prepare(raws ...interface{}) error

	// PostProcess processes a and returns the resulting artifact (nil for
	// none, which ends its chain), whose files exist until it is destroyed.
	// keep asks the core to keep the input artifact (not to Destroy it)
	// even when the template does not set keep_input_artifact. a may live
	// in another process: its facts (see Artifact) are at hand, State and
	// Destroy are calls.
	//
	// When ctx is cancelled it stops, removes what it wrote, and returns no
	// artifact and ctx.Err() or an error wrapping it (see Cancelled).
	PostProcess(ctx context.Context, ui Ui, a Artifact) (result Artifact, keep bool, err error)
}
