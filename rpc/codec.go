package rpc

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/rpc"
	"sync"
)

// errProtocol marks a reply the other side had no business sending: a
// broken or hostile peer. The stream it came on is closed, so the calls
// waiting on it fail at once instead of waiting forever.
var errProtocol = errors.New("the other side broke the protocol")

// clientCodec is net/rpc's gob client codec, plus one check net/rpc does
// not make: every reply answers a call this side made and has not yet seen
// answered. net/rpc drops a reply with an unknown sequence number and keeps
// the real call waiting; here the stream is closed and every call on it
// fails with an error that says why.
type clientCodec struct {
	rwc    io.ReadWriteCloser
	dec    *gob.Decoder
	enc    *gob.Encoder
	encBuf *bufio.Writer

	mu          sync.Mutex
	outstanding map[uint64]struct{}
}

func newClientCodec(rwc io.ReadWriteCloser) *clientCodec {
	buf := bufio.NewWriter(rwc)
	return &clientCodec{
		rwc:         rwc,
		dec:         gob.NewDecoder(rwc),
		enc:         gob.NewEncoder(buf),
		encBuf:      buf,
		outstanding: make(map[uint64]struct{}),
	}
}

// WriteRequest is called by one goroutine at a time (net/rpc holds its
// sending lock).
func (c *clientCodec) WriteRequest(r *rpc.Request, body any) error {
	c.mu.Lock()
	c.outstanding[r.Seq] = struct{}{}
	c.mu.Unlock()
	if err := c.enc.Encode(r); err != nil {
		return err
	}
	if err := c.enc.Encode(body); err != nil {
		return err
	}
	return c.encBuf.Flush()
}

func (c *clientCodec) ReadResponseHeader(r *rpc.Response) error {
	if err := c.dec.Decode(r); err != nil {
		return err
	}
	c.mu.Lock()
	_, ok := c.outstanding[r.Seq]
	delete(c.outstanding, r.Seq)
	c.mu.Unlock()
	if !ok {
		c.rwc.Close()
		return fmt.Errorf("%w: it answered call %d (%s), which this side never made or had already seen answered", errProtocol, r.Seq, r.ServiceMethod)
	}
	return nil
}

func (c *clientCodec) ReadResponseBody(body any) error { return c.dec.Decode(body) }

func (c *clientCodec) Close() error { return c.rwc.Close() }
