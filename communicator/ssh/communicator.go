package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
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
	client *ssh.Client // nil when not connected
	closed bool
}

var _ packer.Communicator = (*Communicator)(nil)

// Connect connects to the machine at host:port with cfg (on which Prepare
// has been called) and returns a Communicator for it. An empty host or a
// zero port stands for cfg.Host or cfg.Port: a builder that knows the
// machine's address (127.0.0.1 and a forwarded port, say) passes it here.
//
// Connect tries again and again, a little more slowly each time but never
// more than a second apart, until it logs in, until ssh_timeout has passed,
// until ssh_handshake_attempts handshakes have reached a server and failed,
// or until ctx is done; then its error says what the last attempt met and
// which key to change. ctx bounds only the connecting; call Close when done
// with the Communicator.
func Connect(ctx context.Context, cfg *Config, host string, port int) (*Communicator, error) {
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
	if c.client != nil {
		err := c.client.Close()
		c.client = nil
		return err
	}
	return nil
}

// connection returns the connection, connecting again first if it was lost.
func (c *Communicator) connection(ctx context.Context) (*ssh.Client, error) {
	select {
	case c.connecting <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.life.Done():
		return nil, ErrClosed
	}
	defer func() { <-c.connecting }()

	c.mu.Lock()
	client, closed := c.client, c.closed
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if client != nil {
		return client, nil
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
	c.client = client
	lost := make(chan struct{})
	go func() {
		client.Wait()
		close(lost)
		c.forget(client)
	}()
	if c.cfg.KeepAliveInterval > 0 {
		go keepAlive(client, c.cfg.KeepAliveInterval, lost)
	}
	return client, nil
}

// forget closes client and, if it is the current connection, drops it so
// the next call connects again.
func (c *Communicator) forget(client *ssh.Client) {
	client.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == client {
		c.client = nil
	}
}

// session opens a session, connecting again first if the connection was
// lost, and returns it with its connection. A connection found broken only
// now (its machine rebooted since the last call) is replaced once.
func (c *Communicator) session(ctx context.Context) (*ssh.Session, *ssh.Client, error) {
	for retried := false; ; retried = true {
		client, err := c.connection(ctx)
		if err != nil {
			return nil, nil, err
		}
		session, err := client.NewSession()
		if err == nil {
			return session, client, nil
		}
		var refused *ssh.OpenChannelError
		if retried || errors.As(err, &refused) {
			return nil, nil, fmt.Errorf("ssh: opening a session on %s: %w", c.dialer.addr, err)
		}
		c.forget(client)
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
	session, client, err := c.session(ctx)
	if err != nil {
		return err
	}
	stdout, stderr, stdin, err := c.prepare(session, cmd.Stdin != nil)
	if err != nil {
		session.Close()
		return err
	}
	command := withPIDEcho(cmd.Command, client.ServerVersion())
	pid := newPIDScanner()
	if command == cmd.Command {
		pid.finish()
	}
	if err := session.Start(command); err != nil {
		session.Close()
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
			cmd.SetExited(status)
		})
	}
	context.AfterFunc(ctx, func() {
		<-pid.found
		if !c.kill(session, pid.pid) {
			// The command may live on; Wait must not wait for it.
			finish(128 + 9)
		}
	})
	go func() {
		err := session.Wait()
		copied.Wait()
		finish(exitStatus(err, ctx.Err() != nil))
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

// Upload writes everything read from src to the file dst on the machine,
// creating or truncating it, with the permission bits of fi when given
// (else 0644), by ssh_file_transfer_method.
func (c *Communicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	mode := fs.FileMode(0o644)
	if fi != nil && *fi != nil {
		mode = (*fi).Mode().Perm()
	}
	if c.cfg.FileTransferMethod == TransferSFTP {
		return c.sftpUpload(dst, src, mode)
	}
	return c.scpUpload(dst, src, mode)
}

// Download writes the content of the file src on the machine to dst.
func (c *Communicator) Download(src string, dst io.Writer) error {
	if c.cfg.FileTransferMethod == TransferSFTP {
		return c.sftpDownload(src, dst)
	}
	return c.scpDownload(src, dst)
}

// UploadDir copies the local directory src to dst on the machine, creating
// dst: "src/" copies what src holds into dst, "src" makes dst/src. Modes
// are kept, symbolic links followed, and paths matching an exclude pattern
// (by their path below src or their base name) left out.
func (c *Communicator) UploadDir(dst, src string, exclude []string) error {
	if c.cfg.FileTransferMethod == TransferSFTP {
		return c.sftpUploadDir(dst, src, exclude)
	}
	return c.scpUploadDir(dst, src, exclude)
}

// DownloadDir copies the directory src on the machine to the local
// directory dst, by the same rules as UploadDir.
func (c *Communicator) DownloadDir(src, dst string, exclude []string) error {
	if c.cfg.FileTransferMethod == TransferSFTP {
		return c.sftpDownloadDir(src, dst, exclude)
	}
	return c.scpDownloadDir(src, dst, exclude)
}

// output writes a command's two output streams to their writers, one
// write at a time, until it is closed; then it drops what still comes.
type output struct {
	mu     sync.Mutex
	closed bool
}

// copy copies r to w (discarding it when w is nil or fails), taking the
// process id marker out first when pid is not nil.
func (o *output) copy(w io.Writer, r io.Reader, pid *pidScanner) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p := buf[:n]
			if pid != nil {
				p = pid.feed(p)
			}
			w = o.write(w, p)
		}
		if err != nil {
			if pid != nil {
				o.write(w, pid.end())
			}
			return
		}
	}
}

// write writes p to w and returns the writer to use next: nil once w has
// failed, so that output nobody takes does not block the command.
func (o *output) write(w io.Writer, p []byte) io.Writer {
	if w == nil || len(p) == 0 {
		return w
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return w
	}
	if _, err := w.Write(p); err != nil {
		return nil
	}
	return w
}

func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
}
