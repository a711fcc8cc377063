package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

// newComm starts sshd and returns a communicator connected to it, with its
// configuration changed by tweak first when tweak is not nil.
func newComm(t *testing.T, tweak func(*Config)) (*Communicator, *sshd) {
	t.Helper()
	s := startSSHD(t)
	cfg := s.config(t)
	if tweak != nil {
		tweak(cfg)
	}
	return connect(t, cfg, s.port), s
}

// run runs command through comm and returns its output and exit status.
func run(t *testing.T, comm packer.Communicator, command string, stdin io.Reader) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := &packer.RemoteCmd{Command: command, Stdin: stdin, Stdout: &out, Stderr: &errOut}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatalf("starting %q: %v", command, err)
	}
	status = cmd.Wait()
	return out.String(), errOut.String(), status
}

// waitExited waits for cmd to end, failing t if it has not after a minute:
// a guard against a hang, not a measure of time.
func waitExited(t *testing.T, cmd *packer.RemoteCmd) int {
	t.Helper()
	select {
	case <-cmd.Exited():
		return cmd.ExitStatus()
	case <-time.After(time.Minute):
		t.Fatalf("%q has not ended", cmd.Command)
		return -1
	}
}

// signalWriter collects what is written to it and closes seen the first
// time it holds want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan struct{})}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.want)
	w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestCancelKillsTheCommandAndWhatItStarted(t *testing.T) {
	comm, _ := newComm(t, nil)
	// The command's child holds a FIFO open for writing: the FIFO's read
	// end sees EOF once the child is gone.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := newSignalWriter("ready")
	cmd := &packer.RemoteCmd{
		Command: fmt.Sprintf(`sh -c 'echo ready; exec sleep 1000' 3>%s & wait`, fifo),
		Stdout:  stdout,
	}
	if err := comm.Start(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	<-stdout.seen
	cancel()
	if status := waitExited(t, cmd); status != 128+int(syscall.SIGKILL) {
		t.Errorf("status %d, want %d", status, 128+int(syscall.SIGKILL))
	}
	if err := syscall.SetNonblock(int(held.Fd()), false); err != nil {
		t.Fatal(err)
	}
	if n, err := held.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("reading the FIFO: %d, %v", n, err)
	}
	// The communicator still works.
	if stdout, _, status := run(t, comm, "echo fine", nil); status != 0 || stdout != "fine\n" {
		t.Errorf("after the cancellation: %q, status %d", stdout, status)
	}
}

func TestCancellingAfterTheCommandEndedKillsNothing(t *testing.T) {
	comm, s := newComm(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := &packer.RemoteCmd{Command: "true"}
	if err := comm.Start(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	if status := waitExited(t, cmd); status != 0 {
		t.Fatalf("status %d", status)
	}
	// The ended command's process id may be another process's by now: a
	// kill must not follow.
	cancel()
	run(t, comm, "true", nil)
	comm.Close()
	if n := strings.Count(s.logText(), "Starting session: command"); n != 2 {
		t.Errorf("sshd started %d sessions, want 2 (the command and the probe):\n%s", n, s.logText())
	}
}

func TestALostConnectionIsCmdDisconnectAndTheNextCallReconnects(t *testing.T) {
	comm, _ := newComm(t, nil)
	// Killing the sshd process that serves this connection drops it, as a
	// reboot does.
	if _, stderr, status := run(t, comm, "kill -9 $PPID", nil); status != packer.CmdDisconnect {
		t.Fatalf("status %d, want packer.CmdDisconnect (stderr %q)", status, stderr)
	}
	if stdout, _, status := run(t, comm, "echo again", nil); status != 0 || stdout != "again\n" {
		t.Errorf("after the reconnect: %q, status %d", stdout, status)
	}
}

func TestAfterARebootTheNextCallWaitsForTheMachine(t *testing.T) {
	s := startSSHD(t)
	p := startProxy(t, s.addr)
	comm := connect(t, s.config(t), p.port)
	// cat ends when sshd closes its input, once the connection is gone.
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	cmd := &packer.RemoteCmd{Command: "cat", Stdin: stdinR}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	// The machine goes down: its connections drop, and its port forward
	// closes new ones at once.
	p.setBackend("")
	p.drop()
	if status := waitExited(t, cmd); status != packer.CmdDisconnect {
		t.Fatalf("status %d, want packer.CmdDisconnect", status)
	}
	type result struct {
		out    string
		status int
	}
	done := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		cmd := &packer.RemoteCmd{Command: "echo back", Stdout: &out}
		if err := comm.Start(context.Background(), cmd); err != nil {
			t.Error(err)
			done <- result{}
			return
		}
		status := cmd.Wait()
		done <- result{out.String(), status}
	}()
	p.waitAccepted(3)
	p.setBackend(s.addr)
	if r := <-done; r.status != 0 || r.out != "back\n" {
		t.Errorf("after the reboot: %q, status %d", r.out, r.status)
	}
}

func TestKeepAlivesDropAConnectionWhoseMachineVanished(t *testing.T) {
	s := startSSHD(t)
	p := startProxy(t, s.addr)
	cfg := s.config(t)
	cfg.KeepAliveInterval = 20 * time.Millisecond
	comm := connect(t, cfg, p.port)
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	cmd := &packer.RemoteCmd{Command: "cat", Stdin: stdinR}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	// Nothing gets through any more, and no connection is closed.
	p.setFrozen(true)
	if status := waitExited(t, cmd); status != packer.CmdDisconnect {
		t.Fatalf("status %d, want packer.CmdDisconnect", status)
	}
}

func TestCloseEndsTheCommandsAndRefusesMore(t *testing.T) {
	comm, _ := newComm(t, nil)
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	cmd := &packer.RemoteCmd{Command: "cat", Stdin: stdinR}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	comm.Close()
	if status := waitExited(t, cmd); status != packer.CmdDisconnect {
		t.Errorf("status %d, want packer.CmdDisconnect", status)
	}
	exited := false
	after := &packer.RemoteCmd{Command: "true"}
	if err := comm.Start(context.Background(), after); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
	select {
	case <-after.Exited():
		exited = true
	default:
	}
	if exited {
		t.Error("a Start that failed called SetExited")
	}
	if err := comm.Upload("/tmp/x", strings.NewReader("x"), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Upload after Close: %v, want ErrClosed", err)
	}
}

func TestPseudoTerminal(t *testing.T) {
	comm, _ := newComm(t, func(c *Config) { c.Pty = true })
	stdout, stderr, status := run(t, comm, "echo out; echo err >&2; tty", nil)
	if status != 0 {
		t.Fatalf("status %d (stdout %q)", status, stdout)
	}
	for _, want := range []string{"out", "err", "/dev/pts/"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not hold %q", stdout, want)
		}
	}
	if strings.Contains(stdout, pidMarker) || stderr != "" {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
}

func TestBastion(t *testing.T) {
	s := startSSHD(t)
	bastion := startProxy(t, s.addr)
	cfg := s.config(t)
	cfg.BastionHost, cfg.BastionPort, cfg.BastionPrivateKeyFile = "127.0.0.1", bastion.port, s.keyFile
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	comm := connect(t, cfg, s.port)
	if stdout, _, status := run(t, comm, "echo through", nil); status != 0 || stdout != "through\n" {
		t.Errorf("%q, status %d", stdout, status)
	}
	if n := len(bastion.accepted); n != 1 {
		t.Errorf("the bastion got %d connections, want 1", n)
	}
}

func TestOverlapUnsafe_dropbearBetween2022_82And2024_85(t *testing.T) {
	for version, want := range map[string]bool{
		"SSH-2.0-dropbear_2022.83": true,
		"SSH-2.0-dropbear_2022.82": true,
		"SSH-2.0-dropbear_2024.85": true,
		"SSH-2.0-dropbear_2024.86": false,
		"SSH-2.0-dropbear_2020.81": false,
		"SSH-2.0-OpenSSH_9.2p1":    false,
	} {
		if got := overlapUnsafe([]byte(version)); got != want {
			t.Errorf("overlapUnsafe(%q) = %v, want %v", version, got, want)
		}
	}
}
