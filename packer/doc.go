// Package packer holds what a plugin links: the interfaces every Packer
// component is written against, RemoteCmd, DecodeConfig and the keys the
// core passes, the confined output paths, and the errors components share.
// The core that drives components lives in package packer/core, and the
// template engine in packer/template; neither is linked by a plugin.
//
// A component (a Builder, Provisioner, PostProcessor, Hook or Command) is
// written as ordinary Go code against the interfaces in this package. It never
// needs to know that it runs in a process of its own: package plugin serves it
// and package rpc carries every call, argument and callback across the process
// boundary, so the core uses a component in another process exactly as it
// would use one linked into the same binary.
//
// The life of one build, as the core (packer/core) drives it:
//
//  1. Prepare is called on the builder, every provisioner and every
//     post-processor with the configuration the template gives each of them.
//     Each returns every problem with its configuration at once (see
//     DecodeConfig).
//  2. The builder's Run makes the machine. When the machine is ready it calls
//     hook.Run(ctx, HookProvision, ui, comm, data) with a Communicator that
//     reaches the machine; the core runs the template's provisioners through
//     that Communicator.
//  3. Run returns an Artifact, which each post-processor chain turns into
//     further artifacts.
//
// Cancellation flows through context.Context: the core cancels the ctx it
// passed to Run, Provision or PostProcess, and the component is expected to
// stop, clean up what it made, and return.
package packer
