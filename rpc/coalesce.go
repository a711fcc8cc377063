package rpc

import (
	"encoding/binary"
	"io"
	"net"
)

// yamuxHeaderSize and yamuxTypeData describe yamux's frame header
// (version, type, flags, stream id, length).
const (
	yamuxHeaderSize = 12
	yamuxTypeData   = 0
)

// coalescingConn writes a yamux data frame's header together with its body.
// yamux writes the two with separate calls, which costs a system call and
// often a packet each; holding the header until its body arrives halves
// both for every message. Only yamux's single send loop writes to it.
type coalescingConn struct {
	io.ReadWriteCloser
	held    [yamuxHeaderSize]byte // a data header waiting for its body
	holding bool
	vec     [2][]byte   // the header and body of one writev
	bufs    net.Buffers // over vec; fields, so a write allocates nothing
}

func coalesce(conn io.ReadWriteCloser) io.ReadWriteCloser {
	return &coalescingConn{ReadWriteCloser: conn}
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	if !c.holding {
		if len(p) == yamuxHeaderSize && p[1] == yamuxTypeData && binary.BigEndian.Uint32(p[8:]) > 0 {
			copy(c.held[:], p)
			c.holding = true
			return len(p), nil
		}
		return c.ReadWriteCloser.Write(p)
	}
	c.holding = false
	if tcp, ok := c.ReadWriteCloser.(net.Conn); ok {
		c.vec = [2][]byte{c.held[:], p}
		c.bufs = c.vec[:]
		n, err := c.bufs.WriteTo(tcp)
		c.vec = [2][]byte{} // do not keep the caller's body alive
		return max(int(n)-yamuxHeaderSize, 0), err
	}
	n, err := c.ReadWriteCloser.Write(append(c.held[:], p...))
	return max(n-yamuxHeaderSize, 0), err
}
