package plugin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

// The test binary doubles as every plugin the tests need: run with
// PLUGIN_TEST_MODE set, TestMain turns it into that plugin instead of
// running tests. The tests start it as a real process, as packer would.
const modeEnv = "PLUGIN_TEST_MODE"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == BuiltinSubcommand && os.Args[2] == GuardArg {
		// The test binary is the guardian of the tests' one-shot runs, as
		// the packer executable is for packer's.
		os.Exit(Guard(os.Args[3:]))
	}
	if mode := os.Getenv(modeEnv); mode != "" {
		runHelperPlugin(mode)
		return
	}
	os.Exit(m.Run())
}

// guardian is the test binary, standing for the packer executable.
func guardian() string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe
}

func runHelperPlugin(mode string) {
	switch mode {
	case "builder":
		ServeBuilder(&helperBuilder{})
	case "provisioner":
		ServeProvisioner(helperProvisioner{})
	case "post-processor":
		ServePostProcessor(helperPostProcessor{})
	case "provisioner-panicking-writer":
		ServeProvisioner(panickingWriterProvisioner{})
	case "set":
		set := NewSet("1.2.3")
		set.RegisterBuilder(DefaultName, func() packer.Builder { return &helperBuilder{} })
		set.RegisterProvisioner("greet", func() packer.Provisioner { return helperProvisioner{} })
		set.RegisterPostProcessor("sizes", func() packer.PostProcessor { return helperPostProcessor{} })
		set.Run()
	case "relay":
		serveRelay()
	case "ui-forwarder":
		ServeBuilder(uiForwarder{})
	case "bench":
		serveBenchPlugin()
	case "held-signals-child":
		// What a command started by a plugin inherits: its ignored signals.
		defer holdSignals()()
		out, err := exec.Command("grep", "SigIgn", "/proc/self/status").Output()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Print(string(out))
	case "held-signals-stderr-gone":
		// A plugin whose core (its stderr's reader) died goes on working.
		defer holdSignals()()
		bufio.NewReader(os.Stdin).ReadString('\n') // the reader is gone now
		for range 3 {
			fmt.Fprintln(os.Stderr, "a log line nobody reads")
		}
		fmt.Println("alive")
	case "stderr-flood":
		chunk := strings.Repeat("e", 1023) + "\n"
		for range 10 << 10 { // 10 MiB
			os.Stderr.WriteString(chunk)
		}
		ServeBuilder(&helperBuilder{})
	case "silent-exit":
		fmt.Fprintln(os.Stderr, "cannot open my configuration: permission denied")
		os.Exit(3)
	case "garbage":
		fmt.Println("Hello! I am a plugin and I like to talk.")
		select {}
	case "no-newline":
		os.Stdout.WriteString(strings.Repeat("x", 1<<20))
		select {}
	case "never-handshakes":
		select {}
	case "wrong-version":
		fmt.Println("PACKER-PLUGIN|99|tcp|127.0.0.1:1")
		select {}
	case "not-loopback":
		fmt.Println("PACKER-PLUGIN|1|tcp|192.0.2.7:1234")
		select {}
	case "impostor":
		// Listens and announces like a plugin, but does not hold the key.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			os.Exit(1)
		}
		fmt.Print(handshakeLine(l.Addr()))
		conn, err := l.Accept()
		if err != nil {
			os.Exit(1)
		}
		io.CopyN(io.Discard, conn, int64(len(authHello)+nonceSize))
		conn.Write(bytes.Repeat([]byte{7}, nonceSize+32))
		select {}
	case "core":
		// A core that starts a builder plugin, prints its pid, and waits to
		// be killed: for testing that plugins outlive no core.
		c := NewClient(&ClientConfig{Cmd: helperCmd("builder")})
		if _, err := c.Builder(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(c.Pid())
		select {}
	case "core-of-a-parent":
		// A core whose builder starts a child of its own: prints the
		// child's pid, then waits to be killed.
		c := NewClient(&ClientConfig{Cmd: helperCmd("builder")})
		b, err := c.Builder()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		ui := newAnsweringUi("child")
		go b.Run(context.Background(), ui, nil)
		fmt.Println(<-ui.said)
		select {}
	case "core-of-a-one-shot":
		// A core running a one-shot program under a guardian: its log (on
		// stdout) shows the program's pid and its child's, as the program
		// says them on stderr; then it waits to be killed.
		s := &Supervisor{Guardian: guardian()}
		go s.Run(context.Background(), OneShot{
			Path: "/bin/sh", Args: []string{"-c", "echo $$ >&2; sleep 1000 & echo $! >&2; wait"},
			Name: "one-shot", MaxOutput: 1 << 10, Logger: log.New(os.Stdout, "", 0),
		})
		select {}
	default:
		fmt.Fprintf(os.Stderr, "unknown %s %q\n", modeEnv, mode)
		os.Exit(2)
	}
}

// helperCmd is the command that runs the test binary as the plugin mode.
func helperCmd(mode string, env ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	// A race-enabled helper would otherwise sleep a second at exit.
	cmd.Env = append(os.Environ(), append([]string{modeEnv + "=" + mode, "GORACE=atexit_sleep_ms=0"}, env...)...)
	return cmd
}

// helperBuilder's Run does what the Ui's answer to "mode?" says, so one
// plugin binary can crash, hang or misbehave on demand mid-call.
type helperBuilder struct{}

func (b *helperBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }

func (b *helperBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	mode, err := ui.Ask("mode?")
	if err != nil {
		return nil, err
	}
	switch mode {
	case "exit":
		os.Exit(3)
	case "panic-in-goroutine":
		done := make(chan struct{})
		go func() { panic("the plugin broke") }()
		<-done
	case "wait-for-cancel":
		ui.Say("waiting")
		<-ctx.Done()
		return nil, fmt.Errorf("cancelled: %w", ctx.Err())
	case "hang":
		ui.Say("hanging")
		select {}
	case "stray-print":
		fmt.Println("a stray line on stdout")
		log.Println("a line from the log package")
	case "stray-fd1":
		return &helperArtifact{ID: strayWriteToStdout()}, nil
	case "child":
		cmd := exec.Command("sleep", "1000")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		ui.Say(strconv.Itoa(cmd.Process.Pid))
		select {}
	case "provision":
		root := os.Getenv("HELPER_COMM_ROOT")
		if err := hook.Run(ctx, packer.HookProvision, ui, &local.Communicator{Dir: root}, map[string]any{"ID": "helper"}); err != nil {
			return nil, err
		}
		return &helperArtifact{ID: "built", FileList: []string{filepath.Join(root, "greeting.txt")}}, nil
	}
	ui.Say("ran " + mode)
	return &helperArtifact{ID: mode}, nil
}

type helperProvisioner struct{}

func (helperProvisioner) Prepare(raws ...any) error { return nil }

func (helperProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	if err := comm.Upload("greeting.sh", strings.NewReader("echo hello from $(basename $PWD) > greeting.txt\n"), nil); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	status, err := (&packer.RemoteCmd{Command: "sh greeting.sh && cat greeting.txt"}).RunWithUi(ctx, comm, ui)
	if err != nil {
		return err
	}
	if status != 0 {
		return fmt.Errorf("the script exited %d", status)
	}
	return nil
}

// panickingWriterProvisioner runs a command whose output goes to a writer
// that panics: the framework's goroutine that copies the output calls it,
// so the panic is not the component's call's to recover, and the plugin
// process dies of it.
type panickingWriterProvisioner struct{}

func (panickingWriterProvisioner) Prepare(raws ...any) error { return nil }

func (panickingWriterProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	cmd := &packer.RemoteCmd{Command: "echo some output", Stdout: panickingWriter{}}
	if err := comm.Start(ctx, cmd); err != nil {
		return err
	}
	cmd.Wait()
	return nil
}

type panickingWriter struct{}

func (panickingWriter) Write(p []byte) (int, error) { panic("the output writer broke") }

type helperPostProcessor struct{}

func (helperPostProcessor) Prepare(raws ...any) error { return nil }

func (helperPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	var sizes []string
	for _, f := range a.Files() {
		info, err := os.Stat(f)
		if err != nil {
			return nil, false, err
		}
		sizes = append(sizes, fmt.Sprintf("%s:%d", filepath.Base(f), info.Size()))
	}
	return &helperArtifact{ID: "processed " + a.Id() + " " + strings.Join(sizes, ",")}, true, nil
}

type helperArtifact struct {
	ID       string
	FileList []string
}

func (a *helperArtifact) BuilderId() string     { return "test.helper" }
func (a *helperArtifact) Files() []string       { return a.FileList }
func (a *helperArtifact) Id() string            { return a.ID }
func (a *helperArtifact) String() string        { return "helper artifact " + a.ID }
func (a *helperArtifact) State(name string) any { return nil }
func (a *helperArtifact) Destroy() error        { return nil }

// answeringUi answers every Ask with one answer and records what it is told.
type answeringUi struct {
	answer string
	said   chan string
}

func newAnsweringUi(answer string) *answeringUi {
	return &answeringUi{answer: answer, said: make(chan string, 100)}
}

func (u *answeringUi) Ask(string) (string, error) { return u.answer, nil }
func (u *answeringUi) Say(m string)               { u.said <- m }
func (u *answeringUi) Message(m string)           { u.said <- m }
func (u *answeringUi) Error(m string)             { u.said <- "error: " + m }
func (u *answeringUi) Machine(string, ...string)  {}

// logWatcher is a log destination whose lines tests can wait for.
type logWatcher struct {
	mu      sync.Mutex
	lines   []string
	waiters []lineWaiter
	partial bytes.Buffer
}

type lineWaiter struct {
	substr string
	found  chan string
}

func newLogger(w *logWatcher) *log.Logger { return log.New(w, "", 0) }

func (w *logWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial.Write(p)
	scanner := bufio.NewScanner(bytes.NewReader(w.partial.Bytes()))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		w.add(scanner.Text())
	}
	w.partial.Reset()
	return len(p), nil
}

func (w *logWatcher) add(line string) {
	w.lines = append(w.lines, line)
	kept := w.waiters[:0]
	for _, waiter := range w.waiters {
		if strings.Contains(line, waiter.substr) {
			waiter.found <- line
		} else {
			kept = append(kept, waiter)
		}
	}
	w.waiters = kept
}

// waitFor blocks until a logged line contains substr, and returns it.
func (w *logWatcher) waitFor(substr string) string {
	w.mu.Lock()
	for _, line := range w.lines {
		if strings.Contains(line, substr) {
			w.mu.Unlock()
			return line
		}
	}
	found := make(chan string, 1)
	w.waiters = append(w.waiters, lineWaiter{substr, found})
	w.mu.Unlock()
	return <-found
}

func (w *logWatcher) count(substr string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, line := range w.lines {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}

// startHelper starts the helper plugin in mode through a Client, killed when
// the test ends.
func startHelper(t *testing.T, mode string, cfg ClientConfig) (*Client, *logWatcher) {
	t.Helper()
	logs := &logWatcher{}
	cfg.Cmd = helperCmd(mode)
	if cfg.Name == "" {
		cfg.Name = "packer-builder-test"
	}
	cfg.Logger = newLogger(logs)
	c := NewClient(&cfg)
	t.Cleanup(c.Kill)
	return c, logs
}

// Typed accessors to the component a test's plugin serves.

func (c *Client) Builder() (packer.Builder, error) {
	return componentAs[packer.Builder](c, packer.KindBuilder)
}
func (c *Client) Provisioner() (packer.Provisioner, error) {
	return componentAs[packer.Provisioner](c, packer.KindProvisioner)
}
func (c *Client) PostProcessor() (packer.PostProcessor, error) {
	return componentAs[packer.PostProcessor](c, packer.KindPostProcessor)
}
func (c *Client) Command() (packer.Command, error) {
	return componentAs[packer.Command](c, packer.KindCommand)
}

func componentAs[T any](c *Client, kind packer.Kind) (T, error) {
	var zero T
	component, err := c.Component(kind)
	if err != nil {
		return zero, err
	}
	return component.(T), nil
}
