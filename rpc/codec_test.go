package rpc

import (
	"bufio"
	"encoding/gob"
	"errors"
	"io"
	"net"
	netrpc "net/rpc"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/yamux"
)

// lyingServerCodec is net/rpc's gob server codec, except that it answers
// every call under the wrong sequence number, as a broken or hostile peer
// could.
type lyingServerCodec struct {
	rwc    io.ReadWriteCloser
	dec    *gob.Decoder
	enc    *gob.Encoder
	encBuf *bufio.Writer
}

func (c *lyingServerCodec) ReadRequestHeader(r *netrpc.Request) error { return c.dec.Decode(r) }
func (c *lyingServerCodec) ReadRequestBody(body any) error            { return c.dec.Decode(body) }
func (c *lyingServerCodec) WriteResponse(r *netrpc.Response, body any) error {
	r.Seq += 7
	if err := c.enc.Encode(r); err != nil {
		return err
	}
	if err := c.enc.Encode(body); err != nil {
		return err
	}
	return c.encBuf.Flush()
}
func (c *lyingServerCodec) Close() error { return c.rwc.Close() }

// lyingBuilder answers Builder.Prepare.
type lyingBuilder struct{}

func (lyingBuilder) Prepare(args *PrepareArgs, reply *BuilderPrepareReply) error { return nil }

func TestCall_aReplyToACallNeverMadeFailsTheCallInsteadOfHangingIt(t *testing.T) {
	core, plugin := net.Pipe()
	go func() {
		mux, err := yamux.Server(plugin, nil)
		if err != nil {
			return
		}
		defer mux.Close()
		for {
			stream, err := mux.Accept()
			if err != nil {
				return
			}
			go func() {
				io.ReadFull(stream, make([]byte, headerSize))
				server := netrpc.NewServer()
				server.RegisterName("Builder", lyingBuilder{})
				buf := bufio.NewWriter(stream)
				server.ServeCodec(&lyingServerCodec{rwc: stream, dec: gob.NewDecoder(stream), enc: gob.NewEncoder(buf), encBuf: buf})
			}()
		}
	}()
	client, err := NewClient(core, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	done := make(chan error, 1)
	go func() {
		_, err := client.Builder().Prepare(map[string]any{"a": 1})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Prepare still waits 30s after a reply under the wrong sequence number")
	}
	if !errors.Is(err, errProtocol) || !strings.Contains(err.Error(), "Builder.Prepare") || !strings.Contains(err.Error(), "never made") {
		t.Errorf("Prepare = %v, want an error naming the call and the broken protocol", err)
	}
}
