package packer

import "context"

// Builder makes a machine image. It is the first component of every build.
type Builder interface {
	// Prepare receives the builder's configuration: the object from the
	// template, followed by the values the core adds (packer_build_name,
	// packer_builder_type, packer_debug, packer_force, packer_on_error and
	// packer_user_variables). Later raws override earlier ones. It returns
	// warnings to show the user, and an error that lists every problem with
	// the configuration at once.
	Prepare(raws ...interface{}) (warnings []string, err error)

	// Run builds the image. It reports progress through ui, calls
	// hook.Run(ctx, HookProvision, ...) once the machine can be reached, and
	// returns the resulting artifact. A nil artifact with a nil error means
	// the build produced nothing. When ctx is cancelled Run must clean up
	// what it created and return ctx.Err() or an error wrapping it.
	Run(ctx context.Context, ui Ui, hook Hook) (Artifact, error)
}
