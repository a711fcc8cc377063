// Package plugin starts plugin processes, serves components from inside
// them, and connects the two.
//
// # Writing a plugin
//
// A plugin is an executable named packer-TYPE-NAME (packer-builder-foo,
// packer-provisioner-bar, ...) whose main is one call:
//
//	func main() { plugin.ServeBuilder(new(Builder)) }
//
// ServeProvisioner, ServePostProcessor, ServeHook and ServeCommand do the
// same for the other kinds of component. Nothing else about processes or
// connections is the plugin author's concern.
//
// # The handshake
//
// The core starts the plugin with these variables in its environment:
//
//	PACKER_PLUGIN_MAGIC_COOKIE  proves the plugin was started by a core; run
//	                            by hand, a plugin says what it is and exits 1
//	PACKER_PLUGIN_MIN_PORT      lowest loopback port the plugin may listen on
//	PACKER_PLUGIN_MAX_PORT      highest (defaults 10000 and 25000)
//	PACKER_PLUGIN_AUTH_KEY      a fresh random key for this process only
//
// The plugin listens on 127.0.0.1 on a free port of the range, scanning from
// a random point and wrapping, and prints one line on stdout:
//
//	PACKER-PLUGIN|1|tcp|127.0.0.1:14023
//
// carrying the protocol version (ProtocolVersion) and the address. From then
// on anything the plugin prints on stdout goes to the core's log, so a stray
// fmt.Println breaks nothing. The core reads the line within the start
// timeout (PACKER_PLUGIN_TIMEOUT, default 60s), refuses a different protocol
// version or an address that is not loopback, and dials once.
//
// Before any call, both ends prove they hold the key: the core sends a nonce,
// the plugin answers with its own nonce and an HMAC-SHA256 of both, and the
// core answers with its own HMAC. A plugin drops any connection that fails
// and keeps waiting for its core; a core refuses a listener that cannot
// prove the key. Then package rpc runs on the connection: net/rpc multiplexed
// over yamux, for the life of the process.
//
// # Logs
//
// Everything a plugin writes to stderr (the standard log package included)
// and to stdout after the handshake reaches the core's logger line by line,
// prefixed with the plugin's name: "packer-builder-foo: line".
//
// # Lifecycle
//
// The core kills every plugin it started when it is done with it, when it is
// interrupted, and when a plugin misbehaves (Client.Kill closes the
// connection, waits a short grace period, then kills the plugin's process
// group, so the plugin's own children go too; Supervisor.KillAll does it for
// every plugin of a run). A plugin exits by itself when its connection
// closes, and when its parent process goes away (the parent-death signal,
// SIGTERM, on Linux, and a watch on the parent everywhere else), so no
// plugin outlives its core; before it exits, calls still running see their
// contexts cancelled and get a moment to clean up; on its way out a plugin
// kills what it started itself and left in its process group. A plugin
// catches SIGINT and drops it: the terminal sends Ctrl-C to the whole
// process group, and it is the core that decides how to wind a build down
// (caught, not ignored, so that the commands a plugin starts get the
// default disposition back). It catches SIGPIPE too, to outlive a core
// that died while the plugin logged.
//
// # One-shot runs
//
// Programs that run once to completion, a json-stdio call or a
// multi-component plugin's describe, are run by Supervisor.Run: in a
// process group of their own, killed with what they started when they exit,
// on cancellation, on a timeout, past an output limit, and by KillAll; and
// through the guardian (Guard, `packer plugin --guard`), which ends them if
// the core itself dies.
package plugin
