package ssh

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Retry pacing. A machine's SSH server comes up at a moment nobody knows,
// and every second waited after that is a second of build time, so attempts
// follow each other quickly at first and never more than a second apart.
const (
	firstBackoff = 50 * time.Millisecond
	maxBackoff   = time.Second
	// firstGreetingWait is how long a server that accepted the connection
	// gets to send its SSH greeting before the attempt is abandoned and
	// made again; it doubles each time it runs out. A port forward (qemu's
	// user networking) accepts connections before the machine behind it
	// is up, and such a connection may hang rather than close.
	firstGreetingWait = 2 * time.Second
	// keepAliveMisses is how many keep-alive intervals a server may leave
	// a keep-alive unanswered before its connection is taken for dead, as
	// OpenSSH's ServerAliveCountMax.
	keepAliveMisses = 3
)

// dialer makes SSH connections to one machine with one configuration.
type dialer struct {
	cfg  Config
	addr string // host:port of the machine
	// firstGreetingWait replaces the constant of that name when set.
	firstGreetingWait time.Duration
}

// attemptError is why one connection attempt failed. counted tells whether
// it reached an SSH server and so counts against ssh_handshake_attempts.
type attemptError struct {
	err     error
	counted bool
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// dial connects, trying again until ssh_timeout has passed, until
// ssh_handshake_attempts handshakes have failed, or until ctx is done.
func (d *dialer) dial(ctx context.Context) (*ssh.Client, error) {
	deadline, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	backoff, greetingWait := firstBackoff, firstGreetingWait
	if d.firstGreetingWait > 0 {
		greetingWait = d.firstGreetingWait
	}
	failedHandshakes := 0
	var last error
	stopped := func(current error) error {
		if ctx.Err() != nil {
			if last == nil {
				return fmt.Errorf("ssh: connecting to %s: %w", d.addr, ctx.Err())
			}
			return fmt.Errorf("ssh: connecting to %s: %w (the last attempt: %w)", d.addr, ctx.Err(), last)
		}
		if last == nil {
			last = current
		}
		return fmt.Errorf("ssh: no connection to %s within ssh_timeout (%s); the last attempt: %w. Check that the machine runs an SSH server at that address (ssh_host, ssh_port), or raise ssh_timeout if it starts slowly",
			d.addr, d.cfg.Timeout, last)
	}
	for {
		client, err := d.attempt(deadline, greetingWait)
		if err == nil {
			return client, nil
		}
		if deadline.Err() != nil {
			return nil, stopped(err)
		}
		last = err
		log.Printf("ssh: %s: %v", d.addr, err)
		var ae *attemptError
		if errors.As(err, &ae) && ae.counted {
			failedHandshakes++
			if failedHandshakes >= d.cfg.HandshakeAttempts {
				return nil, fmt.Errorf("ssh: %s: giving up after ssh_handshake_attempts (%d) failed handshakes; the last: %w",
					d.addr, d.cfg.HandshakeAttempts, err)
			}
		}
		if errors.Is(err, errNoGreeting) {
			greetingWait *= 2
		}
		wait := time.NewTimer(backoff)
		select {
		case <-wait.C:
		case <-deadline.Done():
			wait.Stop()
			return nil, stopped(nil)
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// errNoGreeting marks an attempt whose server accepted the connection but
// said nothing in time.
var errNoGreeting = errors.New("no SSH greeting")

// attempt makes one connection: TCP (through the bastion, if any), the SSH
// handshake, and authentication. Cancelling ctx ends it at any step.
func (d *dialer) attempt(ctx context.Context, greetingWait time.Duration) (*ssh.Client, error) {
	var bastion *ssh.Client
	var conn net.Conn
	var err error
	if d.cfg.BastionHost != "" {
		bastion, conn, err = d.dialBastion(ctx, greetingWait)
	} else {
		var nd net.Dialer
		conn, err = nd.DialContext(ctx, "tcp", d.addr)
		if err != nil {
			err = &attemptError{err: fmt.Errorf("connecting: %w", err)}
		}
	}
	if err != nil {
		return nil, err
	}
	auth, err := authMethods(d.cfg.Password, "ssh_private_key_file", d.cfg.PrivateKeyFile)
	if err != nil {
		conn.Close()
		closeClient(bastion)
		return nil, &attemptError{err: err, counted: true}
	}
	sshConn, chans, reqs, err := handshake(ctx, conn, d.addr, d.cfg.Username, auth, greetingWait)
	if err != nil {
		closeClient(bastion)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, describeHandshakeError(err, d.cfg.Username, "ssh_username", "ssh_private_key_file or ssh_password")
	}
	client := ssh.NewClient(sshConn, chans, reqs)
	if bastion != nil {
		go func() {
			client.Wait()
			bastion.Close()
		}()
	}
	return client, nil
}

// dialBastion connects to the jump host and, through it, to the machine.
func (d *dialer) dialBastion(ctx context.Context, greetingWait time.Duration) (*ssh.Client, net.Conn, error) {
	bastionAddr := net.JoinHostPort(d.cfg.BastionHost, strconv.Itoa(d.cfg.BastionPort))
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", bastionAddr)
	if err != nil {
		return nil, nil, &attemptError{err: fmt.Errorf("connecting to ssh_bastion_host %s: %w", bastionAddr, err)}
	}
	auth, err := authMethods(d.cfg.BastionPassword, "ssh_bastion_private_key_file", d.cfg.BastionPrivateKeyFile)
	if err != nil {
		conn.Close()
		return nil, nil, &attemptError{err: err, counted: true}
	}
	sshConn, chans, reqs, err := handshake(ctx, conn, bastionAddr, d.cfg.BastionUsername, auth, greetingWait)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		err = describeHandshakeError(err, d.cfg.BastionUsername, "ssh_bastion_username", "ssh_bastion_private_key_file or ssh_bastion_password")
		return nil, nil, fmt.Errorf("ssh_bastion_host %s: %w", bastionAddr, err)
	}
	bastion := ssh.NewClient(sshConn, chans, reqs)
	tunnel, err := bastion.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		bastion.Close()
		return nil, nil, &attemptError{err: fmt.Errorf("connecting through ssh_bastion_host %s: %w", bastionAddr, err)}
	}
	return bastion, tunnel, nil
}

// handshakeError is a failed handshake on conn; greeted tells whether the
// server had said anything, noGreeting whether it was given up on for
// saying nothing.
type handshakeError struct {
	err                 error
	greeted, noGreeting bool
}

func (e *handshakeError) Error() string { return e.err.Error() }

// handshake runs the SSH handshake and authentication on conn, closing conn
// when it fails, when ctx is done, or when the server sends nothing within
// greetingWait.
func handshake(ctx context.Context, conn net.Conn, addr, user string, auth []ssh.AuthMethod, greetingWait time.Duration) (ssh.Conn, <-chan ssh.NewChannel, <-chan *ssh.Request, error) {
	watched := &greetingConn{Conn: conn}
	var gaveUp atomic.Bool
	greetingTimer := time.AfterFunc(greetingWait, func() {
		if !watched.greeted.Load() {
			gaveUp.Store(true)
			conn.Close()
		}
	})
	stopCancel := context.AfterFunc(ctx, func() { conn.Close() })
	config := &ssh.ClientConfig{
		User: user,
		Auth: auth,
		// A builder's machine is new: its host key cannot be known in
		// advance. Packer accepts any host key for the same reason.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	sshConn, chans, reqs, err := ssh.NewClientConn(watched, addr, config)
	greetingTimer.Stop()
	if !stopCancel() {
		if err == nil {
			sshConn.Close()
		}
		return nil, nil, nil, ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, nil, nil, &handshakeError{err: err, greeted: watched.greeted.Load(), noGreeting: gaveUp.Load()}
	}
	return sshConn, chans, reqs, nil
}

// describeHandshakeError says what a failed handshake means and which keys
// to change; only failures that reached an SSH server count against
// ssh_handshake_attempts.
func describeHandshakeError(err error, user, userKey, credentialKeys string) error {
	var he *handshakeError
	if !errors.As(err, &he) {
		return &attemptError{err: err}
	}
	switch {
	case he.noGreeting:
		return &attemptError{err: fmt.Errorf("the server accepted the connection but sent no SSH greeting in time: %w", errNoGreeting)}
	case !he.greeted:
		// A port forward whose machine is not up yet, or a server still
		// starting, closes the connection before it says anything.
		return &attemptError{err: fmt.Errorf("the connection closed before the server's SSH greeting: %w", he.err)}
	case strings.Contains(he.err.Error(), "unable to authenticate"):
		return &attemptError{counted: true, err: fmt.Errorf("the server refused to log in %q (check %s and %s): %w", user, userKey, credentialKeys, he.err)}
	default:
		return &attemptError{counted: true, err: fmt.Errorf("SSH handshake: %w", he.err)}
	}
}

// greetingConn notes whether the server has sent anything yet.
type greetingConn struct {
	net.Conn
	greeted atomic.Bool
}

func (c *greetingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.greeted.Store(true)
	}
	return n, err
}

func closeClient(c *ssh.Client) {
	if c != nil {
		c.Close()
	}
}

// keepAlive sends a keep-alive request every interval until done is closed,
// and closes client when the server leaves one unanswered for
// keepAliveMisses intervals: a machine that vanished without closing its
// TCP connection would otherwise leave commands waiting forever.
func keepAlive(client *ssh.Client, interval time.Duration, done <-chan struct{}) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		unanswered := time.NewTimer(keepAliveMisses * interval)
		select {
		case <-done:
			unanswered.Stop()
			return
		case err := <-answered:
			unanswered.Stop()
			if err != nil {
				client.Close()
				return
			}
		case <-unanswered.C:
			log.Printf("ssh: %s answered no keep-alive for %s; dropping the connection", client.RemoteAddr(), keepAliveMisses*interval)
			client.Close()
			return
		}
	}
}
