package packer

import "context"

// HookProvision is the name of the hook a builder runs once its machine can
// be reached. The core answers it by running the template's provisioners
// through the Communicator the builder passes.
const HookProvision = "packer_provision"

// Hook is called by a builder at well-known points of its run, named by the
// name argument (the event). A hook plugin (packer-hook-NAME) is a Hook too:
// the core runs it for the events a template's "hooks" names it under,
// before the core's own hook for that event. data carries values the builder shares with the rest of the
// build (the provision hook passes the build's generated data, such as the
// machine's ID); it crosses processes as JSON, so it is made of maps,
// slices, strings, numbers and booleans, or nil. ui and comm are handed on
// to what the hook runs (comm may be nil: a build without a communicator).
// Run returns when what it runs has finished; its error is the builder's to
// return. A cancelled ctx ends it with ctx.Err().
type Hook interface {
	Run(ctx context.Context, name string, ui Ui, comm Communicator, data interface{}) error
}
