package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// MaxMessage bounds the bytes one Decode may read: a message on the SDK
// wire is a call's header or body, configuration at most, never a file.
const MaxMessage = 64 << 20

// ErrTooLarge is returned when a value would need more than the
// Decoder's budget.
var ErrTooLarge = errors.New("msgpack: message larger than the limit")

// Decoder reads msgpack values one at a time from a stream.
type Decoder struct {
	r      io.Reader
	budget int
	buf    [9]byte
}

// NewDecoder reads from r, which should be buffered: values are read a
// few bytes at a time.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Decode reads the next value as a generic value: nil, bool, int64 (the
// int and fixint forms), uint64 (the uint forms), float64, string, []byte,
// time.Time, []any, or map[string]any (a key that is not a string is
// written with fmt's %v). At most MaxMessage bytes are read.
func (d *Decoder) Decode() (any, error) {
	d.budget = MaxMessage
	return d.value(0)
}

func (d *Decoder) read(n int) ([]byte, error) {
	if n > d.budget {
		return nil, ErrTooLarge
	}
	d.budget -= n
	var b []byte
	if n <= len(d.buf) {
		b = d.buf[:n]
	} else {
		b = make([]byte, n)
	}
	if _, err := io.ReadFull(d.r, b); err != nil {
		if errors.Is(err, io.EOF) && n > 0 && d.budget+n != MaxMessage {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}

func (d *Decoder) uint(n int) (uint64, error) {
	b, err := d.read(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
	return binary.BigEndian.Uint64(b), nil
}

func (d *Decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("msgpack: value nested deeper than %d levels", maxDepth)
	}
	b, err := d.read(1)
	if err != nil {
		return nil, err
	}
	c := b[0]
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return d.mapOf(int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return d.arrayOf(int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return d.str(int(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		return d.uint(1 << (c - 0xcc))
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		u, err := d.uint(n)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*n
		return int64(u<<shift) >> shift, nil
	case 0xca:
		u, err := d.uint(4)
		return float64(math.Float32frombits(uint32(u))), err
	case 0xcb:
		u, err := d.uint(8)
		return math.Float64frombits(u), err
	case 0xd9, 0xda, 0xdb:
		n, err := d.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.str(int(n))
	case 0xc4, 0xc5, 0xc6:
		n, err := d.uint(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		return d.bin(n)
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.arrayOf(int(n), depth)
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.mapOf(int(n), depth)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return d.ext(1 << (c - 0xd4))
	case 0xc7, 0xc8, 0xc9:
		n, err := d.uint(1 << (c - 0xc7))
		if err != nil {
			return nil, err
		}
		return d.ext(int(n))
	}
	return nil, fmt.Errorf("msgpack: unknown type byte 0x%02x", c)
}

func (d *Decoder) str(n int) (string, error) {
	b, err := d.read(n)
	return string(b), err
}

func (d *Decoder) bin(n uint64) ([]byte, error) {
	if n > uint64(d.budget) {
		return nil, ErrTooLarge
	}
	b, err := d.read(int(n))
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// arrayOf reads n values. Each takes at least a byte, so a length beyond
// the budget is refused before anything is allocated for it.
func (d *Decoder) arrayOf(n int, depth int) ([]any, error) {
	if n > d.budget {
		return nil, ErrTooLarge
	}
	out := make([]any, n)
	for i := range out {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (d *Decoder) mapOf(n int, depth int) (map[string]any, error) {
	if n > d.budget/2 {
		return nil, ErrTooLarge
	}
	out := make(map[string]any, n)
	for i := 0; i < n; i++ {
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			key = fmt.Sprint(k)
		}
		out[key] = v
	}
	return out, nil
}

// ext reads an extension of n data bytes: the timestamp (type -1) becomes
// a time.Time; any other is refused, as nothing on the SDK wire uses one.
func (d *Decoder) ext(n int) (any, error) {
	typ, err := d.read(1)
	if err != nil {
		return nil, err
	}
	if int8(typ[0]) != -1 {
		return nil, fmt.Errorf("msgpack: extension type %d is not used on this wire", int8(typ[0]))
	}
	b, err := d.read(n)
	if err != nil {
		return nil, err
	}
	switch n {
	case 4:
		return time.Unix(int64(binary.BigEndian.Uint32(b)), 0).UTC(), nil
	case 8:
		data := binary.BigEndian.Uint64(b)
		return time.Unix(int64(data&0x3ffffffff), int64(data>>34)).UTC(), nil
	case 12:
		nsec := binary.BigEndian.Uint32(b[:4])
		sec := int64(binary.BigEndian.Uint64(b[4:]))
		return time.Unix(sec, int64(nsec)).UTC(), nil
	}
	return nil, fmt.Errorf("msgpack: a timestamp of %d bytes", n)
}
