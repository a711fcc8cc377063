// Package echo is the plugin interface the benchmark measures hashicorp/go-plugin
// and the bare net/rpc floor with: the same calls the framework's own
// benchmark makes through packer's interfaces.
package echo

import (
	"io"
	"net/rpc"

	goplugin "github.com/hashicorp/go-plugin"
)

// Handshake is the go-plugin handshake both sides of the benchmark share.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "PACKER_BENCH_PLUGIN",
	MagicCookieValue: "echo",
}

// Echo is what the plugin serves.
type Echo interface {
	// Echo returns its argument: the trivial call.
	Echo(s string) string
	// Size returns the length of b: the call carrying 1 MiB.
	Size(b []byte) int
	// Callback asks the host's Asker once and returns the answer.
	Callback(q string) string
	// Drain reads one broker stream to its end and returns the count.
	Drain() int64
}

// Asker is what the host serves back to the plugin.
type Asker interface {
	Ask(q string) string
}

// Server is the plugin's net/rpc receiver.
type Server struct {
	Impl   Echo
	Broker *goplugin.MuxBroker
}

// Echo serves Echo.
func (s *Server) Echo(in string, out *string) error { *out = s.Impl.Echo(in); return nil }

// Size serves Size.
func (s *Server) Size(in []byte, out *int) error { *out = s.Impl.Size(in); return nil }

// Callback serves Callback: it dials the host's Asker on the broker once, and
// keeps that stream for every later callback.
func (s *Server) Callback(args CallbackArgs, out *string) error {
	impl := s.Impl.(*Plugin)
	if impl.asker == nil {
		conn, err := s.Broker.Dial(args.BrokerID)
		if err != nil {
			return err
		}
		impl.asker = rpc.NewClient(conn)
	}
	return impl.asker.Call("Plugin.Ask", args.Q, out)
}

// Drain serves Drain: it reads the broker stream BrokerID to its end.
func (s *Server) Drain(id uint32, out *int64) error {
	conn, err := s.Broker.Dial(id)
	if err != nil {
		return err
	}
	defer conn.Close()
	n, err := io.CopyBuffer(io.Discard, conn, make([]byte, 256<<10))
	*out = n
	return err
}

// CallbackArgs carries the broker stream the host's Asker is served on.
type CallbackArgs struct {
	BrokerID uint32
	Q        string
}

// Plugin is the plugin-side implementation.
type Plugin struct{ asker *rpc.Client }

// Echo returns s.
func (p *Plugin) Echo(s string) string { return s }

// Size returns len(b).
func (p *Plugin) Size(b []byte) int { return len(b) }

// Callback is served by Server.Callback.
func (p *Plugin) Callback(q string) string { return "" }

// Drain is served by Server.Drain.
func (p *Plugin) Drain() int64 { return 0 }

// AskServer is the host's net/rpc receiver for callbacks.
type AskServer struct{}

// Ask answers a callback.
func (AskServer) Ask(q string, out *string) error { *out = q; return nil }

// RPCPlugin is the go-plugin glue.
type RPCPlugin struct{ Impl Echo }

// Server returns the plugin-side receiver.
func (p *RPCPlugin) Server(b *goplugin.MuxBroker) (any, error) {
	return &Server{Impl: p.Impl, Broker: b}, nil
}

// Client returns the host-side client.
func (p *RPCPlugin) Client(b *goplugin.MuxBroker, c *rpc.Client) (any, error) {
	return &Client{Broker: b, RPC: c}, nil
}

// Client is the host's end.
type Client struct {
	Broker   *goplugin.MuxBroker
	RPC      *rpc.Client
	askerID  uint32
	askerSet bool
}

// Echo calls Echo.
func (c *Client) Echo(s string) (string, error) {
	var out string
	err := c.RPC.Call("Plugin.Echo", s, &out)
	return out, err
}

// Size calls Size.
func (c *Client) Size(b []byte) (int, error) {
	var out int
	err := c.RPC.Call("Plugin.Size", b, &out)
	return out, err
}

// Callback calls Callback; the first call sets up the host's Asker on a
// broker stream that every later callback reuses.
func (c *Client) Callback(q string) (string, error) {
	if !c.askerSet {
		c.askerID = c.Broker.NextId()
		c.askerSet = true
		go c.Broker.AcceptAndServe(c.askerID, AskServer{})
	}
	var out string
	err := c.RPC.Call("Plugin.Callback", CallbackArgs{BrokerID: c.askerID, Q: q}, &out)
	return out, err
}

// Drain streams size bytes to the plugin over a new broker stream.
func (c *Client) Drain(data []byte, size int64) (int64, error) {
	id := c.Broker.NextId()
	sent := make(chan error, 1)
	go func() {
		conn, err := c.Broker.Accept(id)
		if err != nil {
			sent <- err
			return
		}
		defer conn.Close()
		for left := size; left > 0; {
			chunk := data
			if int64(len(chunk)) > left {
				chunk = chunk[:left]
			}
			n, err := conn.Write(chunk)
			if err != nil {
				sent <- err
				return
			}
			left -= int64(n)
		}
		sent <- nil
	}()
	var out int64
	if err := c.RPC.Call("Plugin.Drain", id, &out); err != nil {
		return 0, err
	}
	return out, <-sent
}
