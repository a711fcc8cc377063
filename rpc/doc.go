// Package rpc makes the component interfaces of package packer work across a
// connection, as if the component were in the same process.
//
// One connection carries everything: it is multiplexed with yamux, and every
// remote object gets its own stream on which net/rpc (gob) calls flow. The side
// that dialled (the core) is the yamux client; the plugin is the yamux server.
// Both sides accept streams, because calls flow in both directions: the core
// calls Builder.Run in the plugin, and the plugin calls back into the Ui and
// Hook the core passed to it.
//
// # References
//
// An argument or result that is itself an interface (a Ui, Hook, Communicator
// or Artifact) is never copied: the side that holds the object registers it
// under a number and sends the number. The other side wraps the number in a
// proxy that implements the same interface; the proxy opens one stream to the
// object on first use and keeps it for every later call, so a callback costs a
// round trip and no setup. A reference handed back to the side that owns the
// object resolves to the original object, not to a proxy of a proxy, and a
// reference handed on to a third process is relayed through the process that
// holds the proxy, so calls always reach the object, wherever it lives.
// Registered objects live as long as the connection.
//
// # Streams
//
// Bytes are streamed, never buffered whole: Communicator.Upload and Download
// and a RemoteCmd's stdin, stdout and stderr each get a data stream of their
// own, and a closed data stream is end of file. A remote command's output
// reaches the caller's writers while the command runs, and RemoteCmd.SetExited
// is called only after all of its output has been written.
//
// # Cancellation, errors and panics
//
// A context passed to Run, Provision, PostProcess, Hook.Run or
// Communicator.Start crosses the connection: cancelling it in the caller
// cancels the context the callee sees, and its deadline travels with it. When
// the connection is lost, every context the remote side handed in is
// cancelled, so a plugin whose core has gone away stops its work.
//
// An error returned by a remote component reaches the caller with its message
// intact; errors.Is keeps working for context.Canceled,
// context.DeadlineExceeded, packer.ErrNoTerminal and ErrConnectionLost. A
// panic in a remote method is recovered, logged to Config.Logger with its
// stack, and returned to the caller as an error: never a hang.
//
// Package rpc knows nothing of processes: it runs over any
// io.ReadWriteCloser. Package plugin starts the processes and hands this
// package the connection.
package rpc
