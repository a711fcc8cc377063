// Package sdk starts and supervises plugin processes built with HashiCorp's
// packer-plugin-sdk, with the care this packer takes of its own: one
// process per component instance (`BINARY start KIND NAME`, never
// --protobuf, which SDKs before v0.6 refuse), its stderr to the log
// prefixed with its name, a private 0700 directory for its socket (its
// TMPDIR: the SDK makes its socket in os.TempDir()), a process group of its
// own under the guardian (so that SIGKILL of the core still ends the
// plugin and what it started), and a stop that closes the connection (an
// SDK plugin exits when it ends), waits a short grace, and kills the group.
// The wire itself is package sdkrpc's.
package sdk
