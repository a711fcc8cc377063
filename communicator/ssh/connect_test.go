package ssh

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// connect connects to addr's port with cfg, closing the communicator when
// the test ends.
func connect(t *testing.T, cfg *Config, port int) *Communicator {
	t.Helper()
	comm, err := Connect(context.Background(), cfg, "127.0.0.1", port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { comm.Close() })
	return comm
}

func TestConnectWaitsForAServerThatComesUpLater(t *testing.T) {
	s := startSSHD(t)
	// The port forward exists before the machine's sshd does: each
	// attempt is accepted and then closed unanswered.
	p := startProxy(t, "")
	connected := make(chan error, 1)
	go func() {
		comm, err := Connect(context.Background(), s.config(t), "127.0.0.1", p.port)
		if err == nil {
			comm.Close()
		}
		connected <- err
	}()
	p.waitAccepted(3)
	p.setBackend(s.addr)
	if err := <-connected; err != nil {
		t.Fatalf("Connect gave up on a server that came up: %v", err)
	}
}

func TestConnectWaitsForAPortNobodyListensOnYet(t *testing.T) {
	s := newSSHDFiles(t)
	sshdPath := ensureSSHD(t)
	port := freePort(t)
	cfg := s.config(t)
	connected := make(chan error, 1)
	go func() {
		comm, err := Connect(context.Background(), cfg, "127.0.0.1", port)
		if err == nil {
			comm.Close()
		}
		connected <- err
	}()
	if err := s.start(t, sshdPath, port); err != nil {
		t.Skipf("sshd could not take port %d: %v", port, err)
	}
	if err := <-connected; err != nil {
		t.Fatalf("Connect gave up on a server that came up: %v", err)
	}
}

func TestConnectTimeoutSaysWhatTheLastAttemptMet(t *testing.T) {
	port := freePort(t)
	cfg := &Config{Username: "root", Password: "x", Timeout: 300 * time.Millisecond}
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	_, err := Connect(context.Background(), cfg, "127.0.0.1", port)
	if err == nil {
		t.Fatal("Connect to a closed port succeeded")
	}
	for _, want := range []string{"127.0.0.1:", "within ssh_timeout (300ms)", "connection refused", "ssh_host, ssh_port"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

func TestConnectWithAWrongKeyStopsAfterTheHandshakeAttempts(t *testing.T) {
	s := startSSHD(t)
	p := startProxy(t, s.addr)
	wrongKey := filepath.Join(t.TempDir(), "wrong")
	writePrivateKey(t, wrongKey)
	cfg := &Config{Username: s.user, PrivateKeyFile: wrongKey, HandshakeAttempts: 3}
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	_, err := Connect(context.Background(), cfg, "127.0.0.1", p.port)
	if err == nil {
		t.Fatal("Connect with a key the server does not know succeeded")
	}
	for _, want := range []string{"giving up after ssh_handshake_attempts (3) failed handshakes", "refused to log in " + `"` + s.user + `"`,
		"ssh_username", "ssh_private_key_file", "publickey"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	if n := len(p.accepted); n != 3 {
		t.Errorf("Connect made %d attempts, want 3 (ssh_handshake_attempts)", n)
	}
}

func TestConnectWithAWrongPasswordNamesTheMethods(t *testing.T) {
	s := startSSHD(t)
	cfg := &Config{Username: s.user, Password: "not the password", HandshakeAttempts: 1}
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	_, err := Connect(context.Background(), cfg, "127.0.0.1", s.port)
	if err == nil {
		t.Fatal("Connect with a wrong password succeeded")
	}
	for _, want := range []string{"password", "ssh_password", "ssh_handshake_attempts (1)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

func TestConnectIsCancelledWhileRetrying(t *testing.T) {
	s := newSSHDFiles(t)
	p := startProxy(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	connected := make(chan error, 1)
	go func() {
		_, err := Connect(ctx, s.config(t), "127.0.0.1", p.port)
		connected <- err
	}()
	p.waitAccepted(2)
	cancel()
	err := <-connected
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "closed before the server's SSH greeting") {
		t.Errorf("the error does not say what the last attempt met: %v", err)
	}
}

// silentServer accepts connections and says nothing, as a port forward to
// a machine whose network is not up may.
func silentServer(t *testing.T) (port int, accepted chan net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = make(chan net.Conn, 100)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-accepted:
				c.Close()
			default:
				return
			}
		}
	})
	return l.Addr().(*net.TCPAddr).Port, accepted
}

func TestConnectIsCancelledWhileWaitingForTheGreeting(t *testing.T) {
	s := newSSHDFiles(t)
	port, accepted := silentServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	connected := make(chan error, 1)
	go func() {
		_, err := Connect(ctx, s.config(t), "127.0.0.1", port)
		connected <- err
	}()
	conn := <-accepted
	defer conn.Close()
	cancel()
	if err := <-connected; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestASilentServerIsTriedAgainWithoutCountingAHandshake(t *testing.T) {
	s := newSSHDFiles(t)
	port, accepted := silentServer(t)
	cfg := s.config(t)
	cfg.HandshakeAttempts = 1
	d := &dialer{cfg: *cfg, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), firstGreetingWait: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dialed := make(chan error, 1)
	go func() {
		_, err := d.dial(ctx)
		dialed <- err
	}()
	// A second connection means the first silent one was given up on
	// and did not use up the one handshake attempt allowed.
	for range 2 {
		conn := <-accepted
		defer conn.Close()
	}
	cancel()
	err := <-dialed
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errNoGreeting) {
		t.Fatalf("got %v, want a cancellation whose last attempt had no greeting", err)
	}
}
