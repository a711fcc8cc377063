package rpc

import (
	"time"
)

// The wire conventions every interface shares; docs/protocol.md gives each
// byte.

// Stream kinds, the first byte every stream starts with.
const (
	streamObject byte = 'o' // net/rpc calls to one registered object
	streamData   byte = 'd' // raw bytes of one upload, download or stdio pipe
)

// headerSize is a stream's header: its kind, the interface (object
// streams; 0 for data), and a big-endian uint32 object or data id.
const headerSize = 6

// Well-known object numbers.
const (
	controlID uint32 = 0 // each side's control service (cancelling, dispensing)
	rootID    uint32 = 1 // the component a plugin serves
)

// ref is an object reference on the wire.
type ref struct {
	ID   uint32
	Home byte // refNil, refSender or refReceiver
}

// Where the object a ref names lives.
const (
	refNil      byte = iota
	refSender        // with the side that sent the ref
	refReceiver      // with the receiver: its own object, handed back
)

// wireContext is a context on the wire: a number the caller cancels it by,
// and its deadline.
type wireContext struct {
	ID       uint64
	Deadline time.Time
	Done     bool // already cancelled when the call was made
}

// wireError is an error on the wire: its message, and which of the sentinel
// errors callers test for with errors.Is it wraps, if any (see sentinels).
type wireError struct {
	Message  string
	Sentinel string
}

// PrepareArgs is the wire form of a component's Prepare arguments: the raws,
// as a JSON array (see values.go).
type PrepareArgs struct {
	Raws []byte
}

// ErrorReply is the wire form of a method's result when it is only an error.
type ErrorReply struct {
	Err *wireError
}

func prepareArgs(raws []any) (*PrepareArgs, error) {
	encoded, err := encodeValue(valueLabel{what: "the configuration"}, raws)
	if err != nil {
		return nil, err
	}
	return &PrepareArgs{Raws: encoded}, nil
}

func decodeRaws(args *PrepareArgs) ([]any, error) {
	v, err := decodeValue(valueLabel{what: "the configuration"}, args.Raws)
	if err != nil || v == nil {
		return nil, err
	}
	raws, _ := v.([]any)
	return raws, nil
}
