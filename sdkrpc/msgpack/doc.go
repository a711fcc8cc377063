// Package msgpack is the subset of MessagePack that packer-plugin-sdk
// plugins speak on their net/rpc streams, written to match what the SDK's
// codec (github.com/ugorji/go/codec, MsgpackHandle{WriteExt: true}) writes
// and reads: nil, booleans, integers, floats, str, bin, arrays, maps, and
// the timestamp extension (type -1).
//
// Go values are encoded as ugorji encodes them: structs as maps keyed by
// their exported fields' names in declaration order, a nil pointer, slice
// or map as nil, a zero time.Time as nil, signed integers in the smallest
// signed form (positive ones from 128 on as int16, not uint8), unsigned
// ones in the smallest unsigned form. Decoding yields generic values
// (Decoder.Decode), which Assign then moves into typed targets, converting
// numbers and matching struct fields by name.
//
// It is hand-written rather than taken from ugorji/go/codec: the SDK wire
// needs a few hundred lines of it, every read here is bounded (message size
// and nesting, see Decoder), and the project keeps its dependencies few.
package msgpack
