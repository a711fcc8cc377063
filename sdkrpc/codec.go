package sdkrpc

import (
	"bufio"
	"fmt"
	"io"
	"net/rpc"
	"sync"

	"github.com/packer-classic/packer/sdkrpc/msgpack"
)

// The net/rpc codec of the SDK (ugorji's GoRpc with a MsgpackHandle): each
// message is two msgpack values back to back, the header then the body,
// with no length before them.

// requestHeader and responseHeader are net/rpc's Request and Response as
// ugorji writes them: maps keyed by the field names.
type requestHeader struct {
	ServiceMethod string
	Seq           uint64
}

type responseHeader struct {
	ServiceMethod string
	Seq           uint64
	Error         string
}

// stream is one broker stream as a message reader and writer.
type stream struct {
	rwc io.ReadWriteCloser
	dec *msgpack.Decoder
	wmu sync.Mutex
	buf []byte
}

func newStream(rwc io.ReadWriteCloser) *stream {
	return &stream{rwc: rwc, dec: msgpack.NewDecoder(bufio.NewReader(rwc))}
}

// write sends a header and a body as one write.
func (s *stream) write(header, body any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	buf, err := msgpack.Append(s.buf[:0], header)
	if err == nil {
		buf, err = msgpack.Append(buf, body)
	}
	if err != nil {
		return fmt.Errorf("encoding an SDK message: %w", err)
	}
	s.buf = buf
	if cap(s.buf) > 1<<20 {
		s.buf = nil // a big message's buffer is not kept for the next
	}
	_, err = s.rwc.Write(buf)
	return err
}

// readInto reads the next value into dst, or discards it when dst is nil.
func (s *stream) readInto(dst any) error {
	v, err := s.dec.Decode()
	if err != nil || dst == nil {
		return err
	}
	return msgpack.Assign(dst, v)
}

func (s *stream) Close() error { return s.rwc.Close() }

// clientCodec is net/rpc's client side of a stream.
type clientCodec struct{ *stream }

// newClient returns a net/rpc client calling the server at the other end
// of rwc.
func newClient(rwc io.ReadWriteCloser) *rpc.Client {
	return rpc.NewClientWithCodec(clientCodec{newStream(rwc)})
}

func (c clientCodec) WriteRequest(r *rpc.Request, body any) error {
	return c.write(&requestHeader{ServiceMethod: r.ServiceMethod, Seq: r.Seq}, body)
}

func (c clientCodec) ReadResponseHeader(r *rpc.Response) error {
	var h responseHeader
	if err := c.readInto(&h); err != nil {
		return err
	}
	r.ServiceMethod, r.Seq, r.Error = h.ServiceMethod, h.Seq, h.Error
	return nil
}

func (c clientCodec) ReadResponseBody(body any) error { return c.readInto(body) }

// serverCodec is net/rpc's server side of a stream.
type serverCodec struct{ *stream }

func (c serverCodec) ReadRequestHeader(r *rpc.Request) error {
	var h requestHeader
	if err := c.readInto(&h); err != nil {
		return err
	}
	r.ServiceMethod, r.Seq = h.ServiceMethod, h.Seq
	return nil
}

func (c serverCodec) ReadRequestBody(body any) error { return c.readInto(body) }

func (c serverCodec) WriteResponse(r *rpc.Response, body any) error {
	return c.write(&responseHeader{ServiceMethod: r.ServiceMethod, Seq: r.Seq, Error: r.Error}, body)
}
