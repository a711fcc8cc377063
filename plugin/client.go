package plugin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

func (c *Client) start() error {
	if c.config.Reattach != nil {
		return c.reattach(c.config.Reattach)
	}
	cmd := c.config.Cmd
	if cmd == nil {
		return errors.New("plugin: ClientConfig.Cmd is nil")
	}
	ports := PortRange{Min: c.config.MinPort, Max: c.config.MaxPort}
	if ports.Min == 0 || ports.Max == 0 {
		fromEnv, err := PortRangeFromEnv()
		if err != nil {
			return fmt.Errorf("cannot start plugin %s: %w", c.name, err)
		}
		if ports.Min == 0 {
			ports.Min = fromEnv.Min
		}
		if ports.Max == 0 {
			ports.Max = fromEnv.Max
		}
	}
	if err := ports.Check(); err != nil {
		return fmt.Errorf("cannot start plugin %s: %w", c.name, err)
	}
	timeout := c.config.StartTimeout
	if timeout == 0 {
		var err error
		if timeout, err = StartTimeoutFromEnv(); err != nil {
			return fmt.Errorf("cannot start plugin %s: %w", c.name, err)
		}
	}
	keyHex, err := newAuthKey()
	if err != nil {
		return err
	}
	key, _ := decodeAuthKey(keyHex)
	unixDir, err := c.transport()
	if err != nil {
		return fmt.Errorf("cannot start plugin %s: %w", c.name, err)
	}

	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env,
		MagicCookieKey+"="+MagicCookieValue,
		MinPortEnv+"="+strconv.Itoa(ports.Min),
		MaxPortEnv+"="+strconv.Itoa(ports.Max),
		authKeyEnv+"="+keyHex,
		UnixDirEnv+"="+unixDir,
	)
	setProcessGroup(cmd)
	// Pipes of our own rather than cmd's: cmd.Wait closes its pipes as soon
	// as the process exits, losing what is still buffered in them.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		c.removeUnixDir()
		return err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdout, stdoutW)
		c.removeUnixDir()
		return err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	c.mu.Lock()
	if c.killed {
		c.mu.Unlock()
		closeAll(stdout, stdoutW, stderr, stderrW)
		c.removeUnixDir()
		return fmt.Errorf("plugin %s was killed before it started", c.name)
	}
	if err := cmd.Start(); err != nil {
		c.mu.Unlock()
		closeAll(stdout, stdoutW, stderr, stderrW)
		c.removeUnixDir()
		return fmt.Errorf("cannot start plugin %s (%s): %w", c.name, cmd.Path, err)
	}
	c.cmd = cmd
	c.mu.Unlock()
	closeAll(stdoutW, stderrW)

	// Both pipes are drained from the first byte, so a plugin that writes a
	// lot before its handshake never blocks on a full pipe.
	var drained sync.WaitGroup
	drained.Add(2)
	go func() {
		defer drained.Done()
		logAll(c.stderr, stderr)
	}()
	handshake := make(chan handshakeResult, 1)
	go func() {
		defer drained.Done()
		c.readStdout(stdout, handshake)
	}()
	go func() {
		err := cmd.Wait()
		c.removeUnixDir()
		close(c.reaped)
		// A child of the plugin that left its group may still hold the
		// pipes; its output is not waited for long.
		allRead := make(chan struct{})
		go func() {
			drained.Wait()
			close(allRead)
		}()
		select {
		case <-allRead:
		case <-time.After(killGrace):
			closeAll(stdout, stderr)
			<-allRead
		}
		closeAll(stdout, stderr)
		c.exitErr = err
		close(c.exited)
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var addr string
	select {
	case h := <-handshake:
		if h.err != nil {
			return c.startError(h.err)
		}
		addr = h.addr
		c.logger.Printf("%s: listening on %s", c.name, addr)
	case <-c.exited:
		return c.startError(errors.New("it exited before completing the handshake"))
	case <-timer.C:
		return c.startError(fmt.Errorf("it did not complete the handshake within %s (set %s to wait longer)", timeout, TimeoutEnv))
	}

	network := "tcp"
	if c.unixSocket != "" {
		network = "unix"
	}
	conn, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return c.startError(fmt.Errorf("dialling the address it announced, %s: %w", addr, err))
	}
	if err := authenticateCore(conn, key); err != nil {
		conn.Close()
		return c.startError(fmt.Errorf("the listener at %s: %w", addr, err))
	}
	client, err := rpc.NewClient(conn, &rpc.Config{Logger: c.logger, CallError: c.callError, OnAbandon: c.abandoned})
	if err != nil {
		conn.Close()
		return c.startError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.killed {
		client.Close()
		return fmt.Errorf("plugin %s was killed while it started", c.name)
	}
	c.rpc = client
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

type handshakeResult struct {
	addr string
	err  error
}

// readStdout reads the handshake line with a bound, then logs the rest of
// stdout.
func (c *Client) readStdout(stdout io.Reader, handshake chan<- handshakeResult) {
	reader := bufio.NewReaderSize(stdout, maxHandshakeLine)
	line, err := reader.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		handshake <- handshakeResult{err: fmt.Errorf("it printed %d bytes without a newline instead of its handshake line (%q...)", len(line), truncate(string(line), 40))}
	case err != nil:
		// The process closed stdout (usually: it exited); the exit is
		// reported with its status by the caller.
		handshake <- handshakeResult{err: errors.New("it exited before completing the handshake")}
	default:
		addr, perr := parseHandshake(string(line), c.unixSocket)
		handshake <- handshakeResult{addr: addr, err: perr}
	}
	logAll(newLineLog(c.logger, c.name), reader)
}

// logAll logs everything read from r until it ends.
func logAll(l *lineLog, r io.Reader) {
	io.Copy(l, r)
	l.Flush()
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
