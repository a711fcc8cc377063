package plugin

import (
	"io"
	"log"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/rpc"
)

// ClientConfig says how to start one plugin process.
type ClientConfig struct {
	// Cmd is the plugin to run. Its Env, if set, is the base environment;
	// the handshake variables are added to it. Its Stdout and Stderr must be
	// nil: the client reads them.
	Cmd *exec.Cmd

	// Name prefixes the plugin's log lines and names it in errors. Empty
	// means the base name of Cmd.Path.
	Name string

	// StartTimeout bounds the wait for the handshake. Zero means
	// PACKER_PLUGIN_TIMEOUT, else 60s.
	StartTimeout time.Duration

	// MinPort and MaxPort bound the plugin's port. Zero means
	// PACKER_PLUGIN_MIN_PORT / MAX_PORT, else 10000-25000.
	MinPort, MaxPort int

	// Logger receives the plugin's stderr and stray stdout, one prefixed
	// line each, and the client's own diagnostics. Nil discards them.
	Logger *log.Logger

	// Transport is how the plugin is reached: "tcp" (a loopback port of
	// the range) or "unix" (a socket in a private directory; Unix only).
	// Empty means PACKER_PLUGIN_TRANSPORT, else tcp.
	Transport string

	// Reattach, when set, connects to a plugin already running with
	// -debug-server instead of starting one; Kill then only disconnects.
	Reattach *Reattach
}

// killGrace is how long Kill waits for a plugin to exit by itself after its
// connection is closed, before killing its process group.
const killGrace = 2 * time.Second

// exitWait bounds how long a failed call waits to learn whether its plugin
// exited, to report how; a plugin whose connection is gone exits by itself,
// so this is only reached by one that hangs on its way out.
const exitWait = 10 * time.Second

// Client is the core's handle on one plugin process: it starts the process,
// completes the handshake, hands out the component the plugin serves, and
// kills the process when asked.
type Client struct {
	config ClientConfig
	name   string
	logger *log.Logger

	startOnce sync.Once
	startErr  error

	mu     sync.Mutex // guards rpc, cmd and killed against a concurrent Kill
	rpc    *rpc.Client
	cmd    *exec.Cmd
	killed bool
	// unixSocket is where the plugin listens with the unix transport;
	// its directory is removed once the process has exited.
	unixSocket string
	// dispensed counts the components handed out with Dispense.
	dispensed atomic.Int32

	reaped   chan struct{} // closed when the process has exited
	exited   chan struct{} // closed when, besides, its output is drained
	exitErr  error         // from cmd.Wait, set before exited closes
	stderr   *lineLog      // the plugin's stderr, logged and its last lines kept
	killOnce sync.Once
}

// NewClient returns a client for the plugin; nothing starts until Start or
// the first request for its component.
func NewClient(config *ClientConfig) *Client {
	c := &Client{config: *config, reaped: make(chan struct{}), exited: make(chan struct{})}
	c.name = c.config.Name
	if c.name == "" && c.config.Cmd != nil {
		c.name = filepath.Base(c.config.Cmd.Path)
	}
	c.logger = c.config.Logger
	if c.logger == nil {
		c.logger = log.New(io.Discard, "", 0)
	}
	c.stderr = newLineLog(c.logger, c.name)
	return c
}

// Name is the plugin's name as it appears in logs and errors.
func (c *Client) Name() string { return c.name }

// Start starts the plugin process and connects to it. It is safe to call
// more than once: later calls return the first call's result.
func (c *Client) Start() error {
	c.startOnce.Do(func() {
		c.startErr = c.start()
		if c.startErr != nil {
			c.Kill()
		}
	})
	return c.startErr
}

// Component starts the plugin if needed and returns the component it
// serves, as the interface of kind (a packer.Builder for
// packer.KindBuilder, and so on).
func (c *Client) Component(kind packer.Kind) (any, error) {
	if err := c.Start(); err != nil {
		return nil, err
	}
	return c.rpc.Component(kind)
}

// Dispense starts the plugin if needed and asks it for a new component of
// kind named name; for plugins served with ServeDispenser or a Set.
func (c *Client) Dispense(kind packer.Kind, name string) (any, error) {
	if err := c.Start(); err != nil {
		return nil, err
	}
	c.dispensed.Add(1)
	return c.rpc.Dispense(kind, name)
}

// Exited reports whether the plugin process has exited.
func (c *Client) Exited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// Pid is the plugin's process id, or 0 before it started.
func (c *Client) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.config.Reattach != nil {
		return c.config.Reattach.Pid
	}
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// KillNow kills the plugin's process group at once, without the grace Kill
// gives the plugin to exit by itself: what a second Ctrl-C asks for. It
// returns when the process has exited, without waiting for its output.
func (c *Client) KillNow() {
	if _, cmd := c.markKilled(); cmd != nil {
		killProcessGroup(cmd)
		<-c.reaped
	}
}

// markKilled records that the core is ending the plugin, so that a start
// not yet made never happens and a call cut short says why, and returns the
// connection and the process to end: nil for a process that never started,
// and for a reattached plugin, which is not ours to kill (its author runs
// it under a debugger), and which it disconnects instead.
func (c *Client) markKilled() (*rpc.Client, *exec.Cmd) {
	c.mu.Lock()
	c.killed = true
	client, cmd := c.rpc, c.cmd
	c.mu.Unlock()
	if c.config.Reattach != nil {
		if client != nil {
			client.Close()
		}
		return nil, nil
	}
	return client, cmd
}

// Kill ends the plugin: it closes the connection, which a plugin answers by
// exiting, waits a short grace period, then kills the plugin's process group.
// It returns when the process has exited. Safe to call more than once.
func (c *Client) Kill() {
	client, cmd := c.markKilled()
	if cmd == nil {
		return
	}
	c.killOnce.Do(func() {
		// A connected plugin is asked to leave by closing its
		// connection; one that never connected has nothing to wind down.
		if client != nil {
			client.Close()
			select {
			case <-c.exited:
			case <-time.After(killGrace):
				c.logger.Printf("%s: still running %s after its connection closed; killing it", c.name, killGrace)
			}
		}
		// The group goes even when the plugin itself exited: its
		// children may not have.
		killProcessGroup(cmd)
	})
	<-c.exited
}
