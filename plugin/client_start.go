package plugin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/packer-classic/packer/rpc"
)

// How a Client starts its plugin: the process, the handshake line, the
// connection and the key proof (docs/lifecycle.md tells the same steps).

// start runs the plugin process and connects to it, step by step: the
// limits, the key, the transport, the environment, the process, the
// handshake line, then the connection and the key proof.
func (c *Client) start() error {
	if c.config.Reattach != nil {
		return c.reattach(c.config.Reattach)
	}
	cmd := c.config.Cmd
	if cmd == nil {
		return errors.New("plugin: ClientConfig.Cmd is nil")
	}
	ports, timeout, err := c.limits()
	if err != nil {
		return err
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
	handshakeEnv(cmd, ports, keyHex, unixDir)
	stdout, stderr, err := c.startProcess(cmd)
	if err != nil {
		return err
	}
	handshake := c.watch(cmd, stdout, stderr)
	addr, err := c.awaitHandshake(handshake, timeout)
	if err != nil {
		return err
	}
	return c.connect(addr, key, timeout)
}

// limits returns the plugin's port range and how long its handshake may
// take: the config's, else the environment's, else the defaults.
func (c *Client) limits() (PortRange, time.Duration, error) {
	ports := PortRange{Min: c.config.MinPort, Max: c.config.MaxPort}
	if ports.Min == 0 || ports.Max == 0 {
		fromEnv, err := PortRangeFromEnv()
		if err != nil {
			return PortRange{}, 0, fmt.Errorf("cannot start plugin %s: %w", c.name, err)
		}
		if ports.Min == 0 {
			ports.Min = fromEnv.Min
		}
		if ports.Max == 0 {
			ports.Max = fromEnv.Max
		}
	}
	if err := ports.Check(); err != nil {
		return PortRange{}, 0, fmt.Errorf("cannot start plugin %s: %w", c.name, err)
	}
	timeout := c.config.StartTimeout
	if timeout == 0 {
		var err error
		if timeout, err = StartTimeoutFromEnv(); err != nil {
			return PortRange{}, 0, fmt.Errorf("cannot start plugin %s: %w", c.name, err)
		}
	}
	return ports, timeout, nil
}

// handshakeEnv adds to cmd's environment (the process's when cmd has none)
// what the plugin needs to serve: the magic cookie, its ports, the key it
// proves and where a unix socket goes.
func handshakeEnv(cmd *exec.Cmd, ports PortRange, keyHex, unixDir string) {
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
}

// startProcess starts cmd in a process group of its own, unless Kill came
// first, and returns the read ends of its stdout and stderr.
func (c *Client) startProcess(cmd *exec.Cmd) (stdout, stderr *os.File, err error) {
	setProcessGroup(cmd)
	// Pipes of our own rather than cmd's: cmd.Wait closes its pipes as soon
	// as the process exits, losing what is still buffered in them.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		c.removeUnixDir()
		return nil, nil, err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdout, stdoutW)
		c.removeUnixDir()
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	c.mu.Lock()
	if c.killed {
		c.mu.Unlock()
		closeAll(stdout, stdoutW, stderr, stderrW)
		c.removeUnixDir()
		return nil, nil, fmt.Errorf("plugin %s was killed before it started", c.name)
	}
	if err := cmd.Start(); err != nil {
		c.mu.Unlock()
		closeAll(stdout, stdoutW, stderr, stderrW)
		c.removeUnixDir()
		return nil, nil, fmt.Errorf("cannot start plugin %s (%s): %w", c.name, cmd.Path, err)
	}
	c.cmd = cmd
	c.mu.Unlock()
	closeAll(stdoutW, stderrW)
	return stdout, stderr, nil
}

// watch drains the started process's stdout (its handshake line, sent on
// the channel it returns, then its stray output) and stderr into the log,
// and waits for the process: reaped closes when it has exited, exited once
// its output is drained too.
func (c *Client) watch(cmd *exec.Cmd, stdout, stderr *os.File) <-chan handshakeResult {
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
	return handshake
}

// awaitHandshake returns the address the plugin announced, or why it did
// not within timeout.
func (c *Client) awaitHandshake(handshake <-chan handshakeResult, timeout time.Duration) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case h := <-handshake:
		if h.err != nil {
			return "", c.startError(h.err)
		}
		c.logger.Printf("%s: listening on %s", c.name, h.addr)
		return h.addr, nil
	case <-c.exited:
		return "", c.startError(errors.New("it exited before completing the handshake"))
	case <-timer.C:
		return "", c.startError(fmt.Errorf("it did not complete the handshake within %s (set %s to wait longer)", timeout, TimeoutEnv))
	}
}

// connect dials the address the plugin announced, checks that the
// listener holds the key, and makes the rpc client, unless Kill came first.
func (c *Client) connect(addr string, key []byte, timeout time.Duration) error {
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
