package packer

import "context"

// Builder makes a machine image. It is the first component of every build.
// packertest.TestBuilder checks an implementation against what follows.
type Builder interface {
	// Prepare receives the builder's configuration: the object from the
	// template, followed by the values the core adds (packer_build_name,
	// packer_builder_type, packer_debug, packer_force, packer_on_error and
	// packer_user_variables). Later raws override earlier ones. The values
	// arrive as JSON decodes them (numbers as float64; DecodeConfig's weak
	// typing turns them back). It may be called more than once, the last
	// call's configuration winning. It returns warnings to show the user,
	// and an error that lists every problem with the configuration at once,
	// an unknown key among them, each naming its key.
	Prepare(raws ...interface{}) (warnings []string, err error)

	// Run builds the image. It reports progress through ui, calls
	// hook.Run(ctx, HookProvision, ...) once the machine can be reached
	// (with the machine's Communicator, or nil when it has none, and data
	// that can be encoded as JSON, such as {"ID": ...}), and returns the
	// resulting artifact. A nil artifact with a nil error means the build
	// produced nothing. An error from the hook fails the Run: Run returns
	// an error that carries it, and no artifact.
	//
	// When ctx is cancelled (Ctrl-C; already, or while Run works), Run
	// stops, cleans up what it created, and returns no artifact and
	// ctx.Err() or an error wrapping it (see Cancelled), so that the core
	// can tell a cancelled build from a failed one. The core waits for that
	// cleanup, up to two minutes after the first Ctrl-C.
	Run(ctx context.Context, ui Ui, hook Hook) (Artifact, error)
}
