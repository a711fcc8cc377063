package packer

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
)

// shellCommunicator runs commands with sh -c on this machine; only Start is
// used by these tests.
type shellCommunicator struct{}

func (shellCommunicator) Start(ctx context.Context, cmd *RemoteCmd) error {
	c := exec.CommandContext(ctx, "sh", "-c", cmd.Command)
	c.Stdin, c.Stdout, c.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	if err := c.Start(); err != nil {
		return err
	}
	go func() {
		err := c.Wait()
		status := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			status = exitErr.ExitCode()
		}
		cmd.SetExited(status)
	}()
	return nil
}
func (shellCommunicator) Upload(string, io.Reader, *os.FileInfo) error { return errors.New("unused") }
func (shellCommunicator) UploadDir(string, string, []string) error     { return errors.New("unused") }
func (shellCommunicator) Download(string, io.Writer) error             { return errors.New("unused") }
func (shellCommunicator) DownloadDir(string, string, []string) error   { return errors.New("unused") }

// linesUi records what each Ui method was called with.
type linesUi struct {
	mu       sync.Mutex
	messages []string
	errors   []string
	seen     chan string
}

func (u *linesUi) Ask(string) (string, error) { return "", ErrNoTerminal }
func (u *linesUi) Say(string)                 {}
func (u *linesUi) Machine(string, ...string)  {}
func (u *linesUi) Message(m string) {
	u.mu.Lock()
	u.messages = append(u.messages, m)
	u.mu.Unlock()
	if u.seen != nil {
		u.seen <- m
	}
}
func (u *linesUi) Error(m string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.errors = append(u.errors, m)
}

func TestRemoteCmd_waitReturnsStatusOnceExited(t *testing.T) {
	var cmd RemoteCmd
	if got := cmd.ExitStatus(); got != -1 {
		t.Errorf("ExitStatus before exit = %d, want -1", got)
	}
	done := make(chan int)
	go func() { done <- cmd.Wait() }()
	cmd.SetExited(3)
	cmd.SetExited(9) // ignored: a command exits once
	if got := <-done; got != 3 {
		t.Errorf("Wait() = %d, want 3", got)
	}
	select {
	case <-cmd.Exited():
	default:
		t.Error("Exited() channel not closed after SetExited")
	}
}

func TestRemoteCmd_RunWithUiShowsEachLine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	ui := &linesUi{}
	cmd := &RemoteCmd{Command: "printf 'one\\ntwo\\r\\n'; echo oops >&2; exit 4"}
	status, err := cmd.RunWithUi(context.Background(), shellCommunicator{}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if status != 4 {
		t.Errorf("status = %d, want 4", status)
	}
	if len(ui.messages) != 2 || ui.messages[0] != "one" || ui.messages[1] != "two" {
		t.Errorf("messages = %q, want [one two]", ui.messages)
	}
	if len(ui.errors) != 1 || ui.errors[0] != "oops" {
		t.Errorf("errors = %q, want [oops]", ui.errors)
	}
}

func TestRemoteCmd_RunWithUiStreamsBeforeExit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	release := t.TempDir() + "/release"
	ui := &linesUi{seen: make(chan string, 4)}
	cmd := &RemoteCmd{Command: "echo started; while [ ! -e " + release + " ]; do sleep 0.01; done; echo finished"}
	result := make(chan int, 1)
	go func() {
		status, _ := cmd.RunWithUi(context.Background(), shellCommunicator{}, ui)
		result <- status
	}()
	if got := <-ui.seen; got != "started" {
		t.Fatalf("first line = %q, want started", got)
	}
	// The command is still waiting for the release file: the line above
	// reached the Ui while it ran.
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if status := <-result; status != 0 {
		t.Errorf("status = %d, want 0", status)
	}
}

func TestRemoteCmd_RunWithUiReportsStartFailure(t *testing.T) {
	cmd := &RemoteCmd{Command: "true"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := cmd.RunWithUi(ctx, shellCommunicator{}, &linesUi{})
	if err == nil {
		t.Fatal("want an error when the command cannot start")
	}
}
