package rpc

import (
	"encoding/binary"
	"io"
	"net"
)

// yamux's frame header, as its spec.md gives it: version (1 byte), type
// (1), flags (2), stream id (4), length (4). Only a data frame has a body
// (of length bytes); for the other types the length field is a value.
const (
	yamuxHeaderSize = 12
	yamuxTypeData   = 0
)

// maxHeld bounds the bytes held back waiting for the rest of a frame; past
// it they are sent as they are. yamux writes a frame's header and its body
// in two calls, so in practice only a header is ever held.
const maxHeld = 64 << 10

// coalescingConn sends each yamux frame in one write: bytes that end in the
// middle of a frame are held (copied) until the write that completes it,
// which then goes out with them in one writev. A frame's header and body
// so cost one system call, and usually one packet, instead of two. It reads
// the frames by the format yamux's spec documents, not by the pattern of
// yamux's writes, so it is right however the writes are split; its only
// effect is on how bytes are grouped into writes.
//
// A Write returns once its bytes are sent or held; an error sending held
// bytes is returned by the Write that sends them (yamux ends the session on
// any write error). Writes must come from one goroutine at a time, as
// yamux's single send loop makes them.
type coalescingConn struct {
	io.ReadWriteCloser
	w io.Writer // the connection's own Write

	held      []byte // the start of an incomplete frame
	header    [yamuxHeaderSize]byte
	headerLen int // bytes of the current frame's header seen
	bodyLeft  int // bytes of the current frame's body still to come
	bufs      net.Buffers
	writev    bool // w writes net.Buffers in one system call
}

// coalescingNetConn is a coalescingConn over a net.Conn, which it still
// is to yamux (addresses, deadlines).
type coalescingNetConn struct {
	net.Conn
	c *coalescingConn
}

func (c *coalescingNetConn) Write(p []byte) (int, error) { return c.c.Write(p) }

func coalesce(conn io.ReadWriteCloser) io.ReadWriteCloser {
	c := &coalescingConn{ReadWriteCloser: conn, w: conn}
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		c.writev = true
	}
	if nc, ok := conn.(net.Conn); ok {
		return &coalescingNetConn{Conn: nc, c: c}
	}
	return c
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	end := c.scan(p) // p[:end] completes every frame it touches
	if end == 0 {
		if len(c.held)+len(p) <= maxHeld {
			c.held = append(c.held, p...)
			return len(p), nil
		}
		end = len(p) // too much to hold: send it as it is
	}
	if err := c.send(p[:end]); err != nil {
		return 0, err
	}
	c.held = append(c.held, p[end:]...)
	return len(p), nil
}

// send writes the held bytes and p together.
func (c *coalescingConn) send(p []byte) error {
	var err error
	switch {
	case len(c.held) == 0:
		_, err = c.w.Write(p)
	case c.writev:
		c.bufs = append(c.bufs[:0], c.held, p)
		_, err = c.bufs.WriteTo(c.w) // one writev, no copy of p
		c.bufs = c.bufs[:0]
	default:
		c.held = append(c.held, p...)
		_, err = c.w.Write(c.held)
	}
	c.held = c.held[:0]
	return err
}

// scan follows the frames through p and returns the offset just past the
// last frame p completes, or 0 when it completes none.
func (c *coalescingConn) scan(p []byte) int {
	end := 0
	for i := 0; i < len(p); {
		if c.headerLen < yamuxHeaderSize {
			n := copy(c.header[c.headerLen:], p[i:])
			c.headerLen += n
			i += n
			if c.headerLen < yamuxHeaderSize {
				break
			}
			if c.header[1] == yamuxTypeData {
				c.bodyLeft = int(binary.BigEndian.Uint32(c.header[8:]))
			}
		} else {
			n := min(c.bodyLeft, len(p)-i)
			c.bodyLeft -= n
			i += n
		}
		if c.headerLen == yamuxHeaderSize && c.bodyLeft == 0 {
			c.headerLen = 0
			end = i
		}
	}
	return end
}
