package rpc

import (
	"context"
	"errors"

	"github.com/packer-classic/packer/packer"
)

// sentinels are the errors whose identity survives the trip.
var sentinels = []struct {
	code string
	err  error
}{
	{"canceled", context.Canceled},
	{"deadline", context.DeadlineExceeded},
	{"no-terminal", packer.ErrNoTerminal},
	{"connection-lost", ErrConnectionLost},
	{"abandoned", ErrAbandoned},
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
