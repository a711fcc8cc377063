package rpc

import (
	"fmt"
	"io"
	"time"

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

// Builder returns the builder the plugin serves.
func (c *Client) Builder() packer.Builder { return c.s.proxy(ifaceBuilder, rootID).(packer.Builder) }

// Provisioner returns the provisioner the plugin serves.
func (c *Client) Provisioner() packer.Provisioner {
	return c.s.proxy(ifaceProvisioner, rootID).(packer.Provisioner)
}

// PostProcessor returns the post-processor the plugin serves.
func (c *Client) PostProcessor() packer.PostProcessor {
	return c.s.proxy(ifacePostProcessor, rootID).(packer.PostProcessor)
}

// Hook returns the hook the plugin serves.
func (c *Client) Hook() packer.Hook { return c.s.proxy(ifaceHook, rootID).(packer.Hook) }

// Command returns the command the plugin serves.
func (c *Client) Command() packer.Command { return c.s.proxy(ifaceCommand, rootID).(packer.Command) }

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
// returned (at most Config.ShutdownGrace). It returns nil when the other
// side closed it.
func Serve(conn io.ReadWriteCloser, component any, cfg *Config) error {
	switch component.(type) {
	case packer.Builder, packer.Provisioner, packer.PostProcessor, packer.Hook, packer.Command, Dispenser:
	default:
		conn.Close()
		return fmt.Errorf("rpc: cannot serve a %T: it is not a packer.Builder, Provisioner, PostProcessor, Hook, Command or rpc.Dispenser", component)
	}
	s, err := newSession(conn, cfg, false)
	if err != nil {
		return err
	}
	s.objects.registerAt(rootID, component)
	s.serve()
	// The connection is gone and every context the core handed in is
	// cancelled: give the calls still running a moment to clean up.
	grace := s.config.ShutdownGrace
	if grace == 0 {
		grace = 5 * time.Second
	}
	if !s.inflight.waitIdle(grace) {
		s.logger.Printf("rpc: calls still running %s after the connection closed; leaving them", grace)
	}
	return nil
}

// newProxy wraps a remote object in the proxy for its interface.
func newProxy(r *remote) any {
	switch r.iface {
	case ifaceBuilder:
		return &builderClient{r}
	case ifaceProvisioner:
		return &provisionerClient{r}
	case ifacePostProcessor:
		return &postProcessorClient{r}
	case ifaceHook:
		return &hookClient{r}
	case ifaceUi:
		return &uiClient{r}
	case ifaceArtifact:
		return &artifactClient{r: r}
	case ifaceCommunicator:
		return &communicatorClient{r}
	case ifaceCommand:
		return &commandClient{r}
	case ifaceCmdExit:
		return &cmdExitClient{r}
	}
	panic(fmt.Sprintf("rpc: no proxy for interface %d", r.iface))
}
