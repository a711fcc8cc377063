package rpc

import (
	"fmt"
	"io"

	"github.com/packer-classic/packer/packer"
)

// Client is the core's end of a connection to a plugin: it hands out the
// component the plugin serves, and serves the callbacks (Ui, Hook,
// Communicator, Artifact) the core passes to it.
type Client struct {
	s *session
}

// NewClient starts the core's end of conn. The connection belongs to the
// Client from here on: Close closes it.
func NewClient(conn io.ReadWriteCloser, cfg *Config) (*Client, error) {
	s, err := newSession(conn, cfg, true)
	if err != nil {
		return nil, err
	}
	go s.serve()
	return &Client{s: s}, nil
}

// Component returns the component the plugin serves, as the interface of
// kind (a packer.Builder for packer.KindBuilder, and so on). Nothing crosses
// until it is first called.
func (c *Client) Component(kind packer.Kind) (any, error) {
	i, err := interfaceOf(kind)
	if err != nil {
		return nil, err
	}
	return c.s.proxy(i.id, rootID), nil
}

// Close closes the connection. Calls in flight fail with ErrConnectionLost
// and the plugin, seeing its connection gone, exits.
func (c *Client) Close() error {
	c.s.shutdown()
	return nil
}

// Done is closed when the connection is gone, whichever side closed it.
func (c *Client) Done() <-chan struct{} { return c.s.closed.Done() }

// Serve serves component (a packer.Builder, Provisioner, PostProcessor,
// Hook or Command, or a Dispenser of them) on conn, the plugin's end of the
// connection, until the connection closes and the calls still running have
// returned (at most 5s after the connection went: their contexts are
// cancelled, so components clean up). It returns nil when the other side
// closed it.
func Serve(conn io.ReadWriteCloser, component any, cfg *Config) error {
	if !servable(component) {
		conn.Close()
		return fmt.Errorf("rpc: cannot serve a %T: it is not a packer.Builder, Provisioner, PostProcessor, Hook, Command or rpc.Dispenser", component)
	}
	s, err := newSession(conn, cfg, false)
	if err != nil {
		return err
	}
	s.objects.registerAt(rootID, component)
	s.serve()
	if !s.inflight.waitIdle(shutdownGrace) {
		s.logger.Printf("rpc: calls still running %s after the connection closed; leaving them", shutdownGrace)
	}
	return nil
}

// servable reports whether component is a Dispenser or a component of a
// kind.
func servable(component any) bool {
	if _, ok := component.(Dispenser); ok {
		return true
	}
	for _, kind := range packer.Kinds() {
		if i, err := interfaceOf(kind); err == nil && i.serve(nil, component) != nil {
			return true
		}
	}
	return false
}
