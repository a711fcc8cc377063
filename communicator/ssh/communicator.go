package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/packer-classic/packer/packer"
)

// ErrClosed is returned by a Communicator's methods after Close.
var ErrClosed = errors.New("ssh: the communicator is closed")

// Communicator is a packer.Communicator over SSH. It keeps one connection
// to the machine and opens a session on it per command or file transfer.
// When the connection is lost (the machine rebooted), the commands running
// on it end with packer.CmdDisconnect and the next call connects again,
// retrying as Connect does.
type Communicator struct {
	cfg    Config
	dialer *dialer

	// connecting is held by the one caller that is connecting, so a lost
	// connection is replaced once, however many callers find it lost.
	connecting chan struct{}
	// life is cancelled by Close; it ends a reconnect under way.
	life      context.Context
	endOfLife context.CancelFunc

	mu     sync.Mutex
	client *link // nil when not connected
	closed bool
	// spares are the extra connections to a server whose sessions must
	// not overlap (see overlapUnsafe), each holding one session at a time.
	spares []*link
}

// link is one connection to the machine; lost is closed once it has ended.
type link struct {
	*ssh.Client
	lost chan struct{}
	busy bool // holds a session, on a server whose sessions must not overlap
}

var _ packer.Communicator = (*Communicator)(nil)

// Connect connects to the machine at host:port with cfg (with Prepare's
// defaults, and refused with Prepare's errors) and returns a Communicator
// for it. An empty host or a zero port stands for cfg.Host or cfg.Port: a
// builder that knows the machine's address (127.0.0.1 and a forwarded
// port, say) passes it here.
//
// Connect tries again and again, a little more slowly each time but never
// more than a second apart, until it logs in, until ssh_timeout has passed,
// until ssh_handshake_attempts handshakes have reached a server and failed,
// or until ctx is done; then its error says what the last attempt met and
// which key to change. ctx bounds only the connecting; call Close when done
// with the Communicator.
func Connect(ctx context.Context, cfg *Config, host string, port int) (*Communicator, error) {
	prepared := *cfg
	if err := prepared.Prepare(); err != nil {
		return nil, err
	}
	cfg = &prepared
	if host == "" {
		host = cfg.Host
	}
	if port == 0 {
		port = cfg.Port
	}
	if host == "" {
		return nil, errors.New("ssh_host: must be set: the address of the machine to connect to")
	}
	life, endOfLife := context.WithCancel(context.Background())
	c := &Communicator{
		cfg:        *cfg,
		dialer:     &dialer{cfg: *cfg, addr: net.JoinHostPort(host, strconv.Itoa(port))},
		connecting: make(chan struct{}, 1),
		life:       life,
		endOfLife:  endOfLife,
	}
	if _, err := c.connection(ctx); err != nil {
		endOfLife()
		return nil, err
	}
	return c, nil
}

// Close closes the connection and ends any reconnect under way. Commands
// still running end with packer.CmdDisconnect.
func (c *Communicator) Close() error {
	c.endOfLife()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, l := range c.spares {
		l.Close()
	}
	if c.client != nil {
		err := c.client.Close()
		c.client = nil
		return err
	}
	return nil
}

// connection returns the connection, connecting again first if it was lost.
func (c *Communicator) connection(ctx context.Context) (*link, error) {
	select {
	case c.connecting <- struct{}{}:
	case <-c.life.Done():
		return nil, ErrClosed
	case <-ctx.Done():
		if c.life.Err() != nil {
			// Transfers wait with the communicator's own life.
			return nil, ErrClosed
		}
		return nil, ctx.Err()
	}
	defer func() { <-c.connecting }()

	c.mu.Lock()
	current, closed := c.client, c.closed
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if current != nil {
		return current, nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.life, cancel)
	defer stop()
	client, err := c.dialer.dial(ctx)
	if err != nil {
		if c.life.Err() != nil {
			return nil, ErrClosed
		}
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		client.Close()
		return nil, ErrClosed
	}
	l := &link{Client: client, lost: make(chan struct{})}
	c.client = l
	go func() {
		client.Wait()
		close(l.lost)
		c.forget(l)
	}()
	if c.cfg.KeepAliveInterval > 0 {
		go keepAlive(client, c.cfg.KeepAliveInterval, l.lost)
	}
	return l, nil
}

// forget closes l and, if it is the current connection, drops it so the
// next call connects again.
func (c *Communicator) forget(l *link) {
	l.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == l {
		c.client = nil
	}
}

// errLost is why a session could not be opened on a connection that ended.
var errLost = errors.New("the connection was lost")

// newSession opens a session on l. x/crypto/ssh leaves a channel opened in
// the instant its connection fails waiting for an answer forever, so the
// wait ends too when the connection is known lost.
func (l *link) newSession() (*ssh.Session, error) {
	type opened struct {
		session *ssh.Session
		err     error
	}
	result := make(chan opened, 1)
	go func() {
		session, err := l.NewSession()
		result <- opened{session, err}
	}()
	select {
	case r := <-result:
		return r.session, r.err
	case <-l.lost:
		return nil, errLost
	}
}

// session opens a session, connecting again first if the connection was
// lost, and returns it with its connection and the function to call once
// the session is closed. A connection found broken only now (its machine
// rebooted since the last call) is replaced once.
func (c *Communicator) session(ctx context.Context) (*ssh.Session, *link, func(), error) {
	for retried := false; ; retried = true {
		l, err := c.connection(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		release := func() {}
		if overlapUnsafe(l.ServerVersion()) {
			if l, release, err = c.exclusive(ctx, l); err != nil {
				return nil, nil, nil, err
			}
		}
		session, err := l.newSession()
		if err == nil {
			return session, l, release, nil
		}
		release()
		var refused *ssh.OpenChannelError
		if retried || errors.As(err, &refused) {
			return nil, nil, nil, fmt.Errorf("ssh: opening a session on %s: %w", c.dialer.addr, err)
		}
		c.forget(l)
	}
}

// Start runs cmd.Command in the login shell of ssh_username and returns
// once it runs. Its output is written to cmd.Stdout and cmd.Stderr as it
// arrives, one write at a time (so they may be one writer), and cmd.Stdin
// is fed to it and closed at its end. cmd.SetExited gets the command's exit
// status (128+N for a command killed by signal N) once all its output has
// been written, or packer.CmdDisconnect if the connection was lost first.
// Cancelling ctx kills the command and everything it started (see kill.go);
// no output is written after that.
func (c *Communicator) Start(ctx context.Context, cmd *packer.RemoteCmd) error {
	session, l, release, err := c.session(ctx)
	if err != nil {
		return err
	}
	stdout, stderr, stdin, err := c.prepare(session, cmd.Stdin != nil)
	if err != nil {
		session.Close()
		release()
		return err
	}
	command := withPIDEcho(cmd.Command, l.ServerVersion())
	pid := newPIDScanner()
	if command == cmd.Command {
		pid.finish()
	}
	if err := session.Start(command); err != nil {
		session.Close()
		release()
		return fmt.Errorf("ssh: starting the command on %s: %w", c.dialer.addr, err)
	}
	if stdin != nil {
		go func() {
			io.Copy(stdin, cmd.Stdin)
			stdin.Close()
		}()
	}

	out := new(output)
	var copied sync.WaitGroup
	copied.Add(2)
	go func() { defer copied.Done(); out.copy(cmd.Stdout, stdout, pid) }()
	go func() { defer copied.Done(); out.copy(cmd.Stderr, stderr, nil) }()
	var once sync.Once
	finish := func(status int) {
		once.Do(func() {
			out.close()
			session.Close()
			release()
			cmd.SetExited(status)
		})
	}
	stopKill := context.AfterFunc(ctx, func() {
		<-pid.found
		if !kill(l, session, pid.pid) {
			// The command may live on; Wait must not wait for it.
			finish(128 + 9)
		}
	})
	go func() {
		err := session.Wait()
		// Once the command has ended its process id may be another's.
		stopKill()
		copied.Wait()
		status := exitStatus(err, ctx.Err() != nil)
		if status == packer.CmdDisconnect {
			// Not to be used again: see newSession.
			c.forget(l)
		}
		finish(status)
	}()
	select {
	case <-pid.found:
	case <-ctx.Done():
	}
	return nil
}

// prepare asks for a pseudo-terminal when ssh_pty is set and returns the
// session's output pipes, and its input pipe when withStdin.
func (c *Communicator) prepare(session *ssh.Session, withStdin bool) (stdout, stderr io.Reader, stdin io.WriteCloser, err error) {
	if c.cfg.Pty {
		modes := ssh.TerminalModes{ssh.ECHO: 0, ssh.TTY_OP_ISPEED: 14400, ssh.TTY_OP_OSPEED: 14400}
		if err := session.RequestPty("xterm", 40, 80, modes); err != nil {
			return nil, nil, nil, fmt.Errorf("ssh: asking %s for a pseudo-terminal (ssh_pty): %w", c.dialer.addr, err)
		}
	}
	if stdout, err = session.StdoutPipe(); err != nil {
		return nil, nil, nil, err
	}
	if stderr, err = session.StderrPipe(); err != nil {
		return nil, nil, nil, err
	}
	if withStdin {
		if stdin, err = session.StdinPipe(); err != nil {
			return nil, nil, nil, err
		}
	}
	return stdout, stderr, stdin, nil
}

// exitStatus turns what session.Wait returned into the status SetExited
// gets.
func exitStatus(err error, cancelled bool) int {
	var exit *ssh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		// x/crypto/ssh reports a command killed by signal N as 128+N,
		// as shells do.
		return exit.ExitStatus()
	case cancelled:
		// Killed with SIGKILL; the server sent no status.
		return 128 + 9
	default:
		// No exit status came before the channel closed: the connection
		// was lost.
		return packer.CmdDisconnect
	}
}
