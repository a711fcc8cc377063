package rpc

import (
	"errors"
	"log"
	"time"
)

// Config tunes one end of a connection. The zero value is ready to use.
type Config struct {
	// Logger receives diagnostics: panics with their stacks, and failed calls
	// that have no error to return (Ui.Say). Nil discards them.
	Logger *log.Logger

	// CallError, when set, is given every error that means the connection
	// was lost during a call, with the method's name ("Builder.Run"); what
	// it returns is what the caller sees. Package plugin uses it to say that
	// the plugin process exited, with its exit status.
	CallError func(method string, err error) error

	// OnAbandon, when set, is told of every call given up on because it
	// went on past its context's deadline (see ErrAbandoned), with the
	// method's name: the component behind it ignores its context. Package
	// plugin kills the plugin process that serves it.
	OnAbandon func(method string)

	// deadlineGrace replaces packer.CancelGrace, for this package's tests.
	deadlineGrace time.Duration
}

// ErrConnectionLost is the error (tested with errors.Is) of a call that could
// not complete because the connection to the other side closed.
var ErrConnectionLost = errors.New("connection to the plugin was lost")

// ErrAbandoned is the error (tested with errors.Is, together with
// context.DeadlineExceeded) of a call given up on because it went on
// packer.CancelGrace past its context's deadline.
var ErrAbandoned = errors.New("the call was abandoned")

// Limits and timings of a connection, the same on both ends.
const (
	// streamWindow is the largest receive window of a stream: the data in
	// flight before a sender waits. Bulk data needs a wide one.
	streamWindow = 4 << 20
	// streamCloseTimeout guards against a peer that never closes its end
	// of a stream; both ends always close theirs.
	streamCloseTimeout = time.Minute
	// shutdownGrace is how long Serve waits, once the connection is gone,
	// for calls still running to return: their contexts are cancelled, and
	// components clean up (kill their commands, remove temporary files).
	shutdownGrace = 5 * time.Second
)
