package rpc

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/packer-classic/packer/packer"
)

// wireError is an error on the wire: its message, and which of the sentinel
// errors callers test for with errors.Is it wraps, if any.
type wireError struct {
	Message  string
	Sentinel string
}

// sentinels are the errors whose identity survives the trip.
var sentinels = []struct {
	code string
	err  error
}{
	{"canceled", context.Canceled},
	{"deadline", context.DeadlineExceeded},
	{"no-terminal", packer.ErrNoTerminal},
	{"connection-lost", ErrConnectionLost},
}

func encodeError(err error) *wireError {
	if err == nil {
		return nil
	}
	we := &wireError{Message: err.Error()}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			we.Sentinel = s.code
			break
		}
	}
	return we
}

func decodeError(we *wireError) error {
	if we == nil {
		return nil
	}
	for _, s := range sentinels {
		if s.code == we.Sentinel {
			return &remoteError{message: we.Message, sentinel: s.err}
		}
	}
	return &remoteError{message: we.Message}
}

// remoteError is an error that happened on the other side of the connection.
type remoteError struct {
	message  string
	sentinel error
}

func (e *remoteError) Error() string { return e.message }
func (e *remoteError) Unwrap() error { return e.sentinel }

// run calls fn for a served method, turning a panic into an error the caller
// receives (and Config.OnPanic hears of) instead of a dead connection.
func (s *session) run(method string, fn func() error) (we *wireError) {
	s.inflight.begin()
	defer s.inflight.end()
	defer func() {
		if v := recover(); v != nil {
			stack := debug.Stack()
			s.logger.Printf("rpc: panic in %s: %v\n%s", method, v, stack)
			if s.config.OnPanic != nil {
				s.config.OnPanic(method, v, stack)
			}
			we = &wireError{Message: fmt.Sprintf("%s panicked: %v", method, v)}
		}
	}()
	return encodeError(fn())
}

// ErrorReply is the wire form of a method's result when it is only an error.
type ErrorReply struct {
	Err *wireError
}
