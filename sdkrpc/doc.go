// Package sdkrpc speaks the wire of plugins built with HashiCorp's
// packer-plugin-sdk (plugin API x5.0, SDK v0.2 to v0.6), for JSON
// templates: one connection carrying yamux with the core as client; a
// broker that opens a stream per id, each stream beginning with the id as
// a 4-byte little-endian number that the other side echoes; Go net/rpc on
// each stream with a msgpack codec (package msgpack); and gob for one
// message only, the exit status of a remote command. The wire is written
// down in docs/sdk-plugins.md.
//
// It puts the SDK's services behind this project's packer.* interfaces:
// NewBuilder, NewProvisioner and NewPostProcessor return components that
// call a plugin process; the core's Ui, Hook, Communicator and Artifact are
// served to the plugin when a call hands them over. What an SDK component
// needs beyond the packer.* interfaces (it renders its own configuration,
// declares generated variables, takes the build's data with Provision,
// may force its input artifact kept) it offers through packer's optional
// interfaces (packer.SelfRendering and the others).
//
// Package rpc is this project's own protocol and knows nothing of this
// one; package plugin/sdk starts SDK plugin processes and hands their
// connection here.
package sdkrpc
