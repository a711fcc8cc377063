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
	held []byte // a data header waiting for its body
}

func coalesce(conn io.ReadWriteCloser) io.ReadWriteCloser {
	return &coalescingConn{ReadWriteCloser: conn}
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	if c.held == nil {
		if len(p) == yamuxHeaderSize && p[1] == yamuxTypeData && binary.BigEndian.Uint32(p[8:]) > 0 {
			c.held = append(c.held[:0:0], p...)
			return len(p), nil
		}
		return c.ReadWriteCloser.Write(p)
	}
	hdr := c.held
	c.held = nil
	if tcp, ok := c.ReadWriteCloser.(net.Conn); ok {
		bufs := net.Buffers{hdr, p}
		n, err := bufs.WriteTo(tcp)
		return max(int(n)-len(hdr), 0), err
	}
	n, err := c.ReadWriteCloser.Write(append(hdr, p...))
	return max(n-len(hdr), 0), err
}
