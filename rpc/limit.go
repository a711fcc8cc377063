package rpc

import (
	"fmt"
	"io"
)

// MaxMessageSize bounds one RPC message (a call's arguments or a reply) on an
// object stream. Bulk data never travels in messages (it has data streams),
// so real messages are far smaller; a peer that announces a bigger one is
// broken or hostile, and gets an error instead of the allocation.
const MaxMessageSize = 64 << 20

// limitReader passes a gob stream through while checking each message's
// length prefix against the limit, before gob allocates a buffer for it.
type limitReader struct {
	r      io.Reader
	left   int64 // bytes of the current message still to pass through
	max    int64
	prefix [9]byte // a length prefix being read, so a message allocates nothing here
}

func newLimitReader(r io.Reader, max int64) *limitReader {
	return &limitReader{r: r, max: max}
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left == 0 {
		// At a message boundary: read the gob length prefix (an unsigned
		// integer: one byte below 128, else a byte holding the negated
		// count of the big-endian bytes that follow) and hand it on.
		if _, err := io.ReadFull(l.r, l.prefix[:1]); err != nil {
			return 0, err
		}
		prefix := l.prefix[:1]
		var size uint64
		if first := l.prefix[0]; first < 0x80 {
			size = uint64(first)
		} else {
			n := int(-int8(first))
			if n < 1 || n > 8 {
				return 0, fmt.Errorf("rpc: malformed message length from the other side")
			}
			prefix = l.prefix[:1+n]
			if _, err := io.ReadFull(l.r, prefix[1:]); err != nil {
				return 0, err
			}
			for _, b := range prefix[1:] {
				size = size<<8 | uint64(b)
			}
		}
		if size > uint64(l.max) {
			return 0, fmt.Errorf("rpc: the other side sent a %d-byte message, over the %d-byte limit", size, l.max)
		}
		l.left = int64(size)
		if len(p) < len(prefix) {
			return 0, fmt.Errorf("rpc: read buffer too small")
		}
		return copy(p, prefix), nil
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// limitedConn is a stream whose reads are checked by a limitReader.
type limitedConn struct {
	io.ReadWriteCloser
	reader *limitReader
}

func limitMessages(rwc io.ReadWriteCloser) io.ReadWriteCloser {
	return &limitedConn{ReadWriteCloser: rwc, reader: newLimitReader(rwc, MaxMessageSize)}
}

func (c *limitedConn) Read(p []byte) (int, error) { return c.reader.Read(p) }
