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
	"sync/atomic"
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

func TestExitStatuses(t *testing.T) {
	comm, _ := newComm(t, nil)
	for command, want := range map[string]int{
		"true":          0,
		"exit 3":        3,
		"kill -TERM $$": 128 + int(syscall.SIGTERM),
		"kill -KILL $$": 128 + int(syscall.SIGKILL),
	} {
		if _, stderr, status := run(t, comm, command, nil); status != want {
			t.Errorf("%q: status %d, want %d (stderr %q)", command, status, want, stderr)
		}
	}
}

func TestOutputIsStreamedAndExact(t *testing.T) {
	comm, _ := newComm(t, nil)
	stdout := newSignalWriter("first\n")
	stdinR, stdinW := io.Pipe()
	cmd := &packer.RemoteCmd{Command: "echo first; read line; echo \"$line\"", Stdin: stdinR, Stdout: stdout}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	// The command waits for input, so this line has come while it runs.
	<-stdout.seen
	io.WriteString(stdinW, "second\n")
	stdinW.Close()
	if status := waitExited(t, cmd); status != 0 {
		t.Fatalf("status %d", status)
	}
	if got := stdout.String(); got != "first\nsecond\n" {
		t.Errorf("stdout %q, want %q", got, "first\nsecond\n")
	}
}

// exclusiveWriter fails the test if two writes overlap.
type exclusiveWriter struct {
	t       *testing.T
	writing atomic.Int32
	buf     bytes.Buffer
}

func (w *exclusiveWriter) Write(p []byte) (int, error) {
	if w.writing.Add(1) != 1 {
		w.t.Error("two goroutines wrote to one writer at once")
	}
	defer w.writing.Add(-1)
	return w.buf.Write(p)
}

func TestOneWriterForBothStreamsLosesNothing(t *testing.T) {
	comm, _ := newComm(t, nil)
	w := &exclusiveWriter{t: t}
	cmd := &packer.RemoteCmd{
		Command: `i=0; while [ $i -lt 3000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`,
		Stdout:  w, Stderr: w,
	}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if status := waitExited(t, cmd); status != 0 {
		t.Fatalf("status %d", status)
	}
	lines := strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n")
	if len(lines) != 6000 {
		t.Fatalf("got %d lines, want 6000", len(lines))
	}
	for i := range 3000 {
		for _, want := range []string{fmt.Sprintf("out %d", i), fmt.Sprintf("err %d", i)} {
			if !strings.Contains(w.buf.String(), want+"\n") {
				t.Fatalf("line %q is missing", want)
			}
		}
	}
}

func TestLargeOutputAndLongLinesArriveWhole(t *testing.T) {
	comm, _ := newComm(t, nil)
	stdout, stderr, status := run(t, comm,
		`head -c 5000000 /dev/zero | tr '\0' a; head -c 5000000 /dev/zero | tr '\0' b >&2`, nil)
	if status != 0 || len(stdout) != 5000000 || len(stderr) != 5000000 ||
		strings.Trim(stdout, "a") != "" || strings.Trim(stderr, "b") != "" {
		t.Errorf("status %d, %d bytes of stdout and %d of stderr, want 5000000 of each", status, len(stdout), len(stderr))
	}
	stdout, _, _ = run(t, comm, `head -c 2000000 /dev/zero | tr '\0' c; echo; echo after; echo end`, nil)
	if want := strings.Repeat("c", 2000000) + "\nafter\nend\n"; stdout != want {
		t.Errorf("got %d bytes ending %q, want %d", len(stdout), stdout[max(0, len(stdout)-20):], len(want))
	}
	// With no writers the output is taken and dropped; the command ends.
	cmd := &packer.RemoteCmd{Command: `head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2`}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if status := waitExited(t, cmd); status != 0 {
		t.Errorf("status %d", status)
	}
}

func TestStdinIsCopiedAndClosed(t *testing.T) {
	comm, _ := newComm(t, nil)
	input := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	stdout, _, status := run(t, comm, "cat", bytes.NewReader(input))
	if status != 0 || stdout != string(input) {
		t.Errorf("status %d; cat gave back %d bytes of %d", status, len(stdout), len(input))
	}
	// Without Stdin the command reads an empty input.
	stdout, _, status = run(t, comm, "wc -c", nil)
	if status != 0 || strings.TrimSpace(stdout) != "0" {
		t.Errorf("wc -c without stdin: %q, status %d", stdout, status)
	}
}

func TestCommandsRunAtTheSameTime(t *testing.T) {
	comm, _ := newComm(t, nil)
	const n = 8
	cmds := make([]*packer.RemoteCmd, n)
	inputs := make([]*io.PipeWriter, n)
	outputs := make([]*bytes.Buffer, n)
	for i := range n {
		r, w := io.Pipe()
		inputs[i], outputs[i] = w, new(bytes.Buffer)
		cmds[i] = &packer.RemoteCmd{Command: "read x; echo \"got $x\"", Stdin: r, Stdout: outputs[i]}
		if err := comm.Start(context.Background(), cmds[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Every command is running, waiting for its input.
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(inputs[i], "%d\n", i)
		inputs[i].Close()
		if status := waitExited(t, cmds[i]); status != 0 || outputs[i].String() != fmt.Sprintf("got %d\n", i) {
			t.Errorf("command %d: status %d, output %q", i, status, outputs[i])
		}
	}
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
