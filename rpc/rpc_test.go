package rpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

func TestBuilder_prepareDecodesTheRawsTheCoreSent(t *testing.T) {
	builder := &funcBuilder{}
	client := connect(t, builder, nil, nil)

	warnings, err := client.Builder().Prepare(
		map[string]any{"name": "first", "count": "2"},
		map[string]any{"name": "second", packer.BuildNameConfigKey: "potato"},
	)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if want := []string{"prepared second x2"}; !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
}

func TestBuilder_prepareErrorKeepsItsMessage(t *testing.T) {
	client := connect(t, &funcBuilder{}, nil, nil)

	_, err := client.Builder().Prepare(map[string]any{"colour": "red"})
	if err == nil || !strings.Contains(err.Error(), `unknown configuration key: "colour"`) {
		t.Fatalf("Prepare error = %v, want the unknown key named", err)
	}
}

func TestBuilder_runCallsBackThroughHookAndUiAndReturnsAnArtifact(t *testing.T) {
	comm := &local.Communicator{Dir: t.TempDir()}
	builder := &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		ui.Say("building")
		if err := hook.Run(ctx, packer.HookProvision, ui, comm, map[string]any{"ID": "Null"}); err != nil {
			return nil, err
		}
		return &fileArtifact{id: "a-1", files: []string{"disk.img"}, state: map[string]any{"size": 3}}, nil
	}}
	client := connect(t, builder, nil, nil)

	ui := &recordingUi{}
	var hookData any
	hook := funcHook(func(ctx context.Context, name string, hui packer.Ui, hcomm packer.Communicator, data any) error {
		hookData = data
		// The Ui the builder hands back is the core's own Ui, not a
		// proxy of a proxy.
		if hui != packer.Ui(ui) {
			return fmt.Errorf("hook got Ui %T, want the core's own Ui", hui)
		}
		hui.Message("provisioning " + name)
		return hcomm.Upload("hello.txt", strings.NewReader("hi"), nil)
	})

	artifact, err := client.Builder().Run(context.Background(), ui, hook)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := []string{"say: building", "message: provisioning packer_provision"}; !reflect.DeepEqual(ui.Lines(), want) {
		t.Errorf("Ui saw %q, want %q", ui.Lines(), want)
	}
	if !reflect.DeepEqual(hookData, map[string]any{"ID": "Null"}) {
		t.Errorf("hook data = %#v", hookData)
	}
	if got, _ := os.ReadFile(filepath.Join(comm.Dir, "hello.txt")); string(got) != "hi" {
		t.Errorf("uploaded file holds %q, want %q", got, "hi")
	}
	if artifact.Id() != "a-1" || artifact.BuilderId() != "test.files" || artifact.String() != "files: a-1" {
		t.Errorf("artifact = %q %q %q", artifact.Id(), artifact.BuilderId(), artifact.String())
	}
	if !reflect.DeepEqual(artifact.Files(), []string{"disk.img"}) {
		t.Errorf("artifact files = %q", artifact.Files())
	}
	if got := artifact.State("size"); got != float64(3) {
		t.Errorf("artifact state size = %#v, want 3", got)
	}
	if err := artifact.Destroy(); err != nil {
		t.Errorf("first Destroy: %v", err)
	}
	if err := artifact.Destroy(); err == nil || !strings.Contains(err.Error(), "already destroyed") {
		t.Errorf("second Destroy = %v, want the plugin's error", err)
	}
}

func TestBuilder_nilArtifactStaysNil(t *testing.T) {
	client := connect(t, &funcBuilder{run: func(context.Context, packer.Ui, packer.Hook) (packer.Artifact, error) {
		return nil, nil
	}}, nil, nil)
	artifact, err := client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if err != nil || artifact != nil {
		t.Fatalf("Run = %v, %v; want nil, nil", artifact, err)
	}
}

func TestUi_askErrorsKeepTheirIdentityAcrossTwoCrossings(t *testing.T) {
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		if _, err := ui.Ask("continue?"); err != nil {
			return nil, fmt.Errorf("asking: %w", err)
		}
		return nil, nil
	}}, nil, nil)

	_, err := client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if !errors.Is(err, packer.ErrNoTerminal) {
		t.Fatalf("Run error = %v, want one that is packer.ErrNoTerminal", err)
	}
	if !strings.HasPrefix(err.Error(), "asking: ") {
		t.Errorf("error message %q lost the plugin's wrapping", err)
	}
}

func TestUi_everyMethodReachesTheCore(t *testing.T) {
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		answer, err := ui.Ask("name?")
		if err != nil {
			return nil, err
		}
		ui.Say("hello " + answer)
		ui.Message("message")
		ui.Error("error")
		ui.Machine("artifact", "0", "id", "x,y")
		return nil, nil
	}}, nil, nil)
	ui := &recordingUi{answer: "pear"}
	if _, err := client.Builder().Run(context.Background(), ui, funcHook(nil)); err != nil {
		t.Fatal(err)
	}
	want := []string{"ask: name?", "say: hello pear", "message: message", "error: error", "machine: artifact [0 id x,y]"}
	if !reflect.DeepEqual(ui.Lines(), want) {
		t.Errorf("Ui saw %q, want %q", ui.Lines(), want)
	}
}

func TestContext_cancelInTheCoreCancelsThePluginsRun(t *testing.T) {
	started := make(chan struct{})
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		close(started)
		<-ctx.Done()
		return nil, fmt.Errorf("stopped: %w", ctx.Err())
	}}, nil, nil)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
}

func TestContext_alreadyCancelledArrivesCancelled(t *testing.T) {
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		return nil, ctx.Err()
	}}, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
}

func TestContext_deadlineTravelsWithTheCall(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Round(time.Millisecond)
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		got, ok := ctx.Deadline()
		if !ok || !got.Equal(deadline) {
			return nil, fmt.Errorf("deadline = %v (%v), want %v", got, ok, deadline)
		}
		return nil, nil
	}}, nil, nil)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestPanic_inThePluginIsAnErrorAtTheCallerAndItsStackGoesToTheLog(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	logger := log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), "", 0)
	client := connect(t, &funcBuilder{run: func(context.Context, packer.Ui, packer.Hook) (packer.Artifact, error) {
		panic("boom")
	}}, &Config{Logger: logger}, nil)

	_, err := client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if err == nil || !strings.Contains(err.Error(), "Builder.Run panicked: boom") {
		t.Fatalf("Run error = %v, want the panic reported", err)
	}
	mu.Lock()
	got := logged.String()
	mu.Unlock()
	if !strings.Contains(got, "rpc: panic in Builder.Run: boom") || !strings.Contains(got, "rpc_test.go") {
		t.Errorf("the plugin's log lacks the panic and its stack:\n%s", got)
	}
	// The connection survives a panic: the next call works.
	if _, err := client.Builder().Prepare(); err != nil {
		t.Errorf("Prepare after a panic: %v", err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestConnectionLost_failsThePendingCallAndCancelsThePlugin(t *testing.T) {
	core, plugin := net.Pipe()
	started := make(chan struct{})
	pluginCtxDone := make(chan struct{})
	go Serve(plugin, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		close(started)
		<-ctx.Done()
		close(pluginCtxDone)
		return nil, ctx.Err()
	}}, nil)
	var calledWith string
	client, err := NewClient(core, &Config{CallError: func(method string, err error) error {
		calledWith = method
		return fmt.Errorf("plugin test-plugin exited unexpectedly during %s: %w", method, err)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	go func() {
		<-started
		plugin.Close() // the plugin process dies
	}()
	_, err = client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("Run error = %v, want ErrConnectionLost", err)
	}
	if calledWith != "Builder.Run" || !strings.Contains(err.Error(), "plugin test-plugin exited unexpectedly during Builder.Run") {
		t.Errorf("error %q was not shaped by CallError (called with %q)", err, calledWith)
	}
	<-pluginCtxDone
	<-client.Done()
}

func TestServe_refusesWhatIsNotAComponent(t *testing.T) {
	_, plugin := net.Pipe()
	err := Serve(plugin, "a string", nil)
	if err == nil || !strings.Contains(err.Error(), "cannot serve a string") {
		t.Fatalf("Serve = %v", err)
	}
}

func TestCommunicator_uploadsAndDownloads64MiBByteForByte(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB")
	}
	comm := &local.Communicator{Dir: t.TempDir()}
	data := pattern(64 << 20)
	var downloaded bytes.Buffer
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		if err := c.Upload("big.bin", bytes.NewReader(data), nil); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		return c.Download("big.bin", &downloaded)
	}), nil, nil)

	if err := client.Provisioner().Provision(context.Background(), &recordingUi{}, comm); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(filepath.Join(comm.Dir, "big.bin"))
	if !bytes.Equal(onDisk, data) {
		t.Errorf("uploaded file differs (%d bytes, want %d)", len(onDisk), len(data))
	}
	if !bytes.Equal(downloaded.Bytes(), data) {
		t.Errorf("downloaded bytes differ (%d bytes, want %d)", downloaded.Len(), len(data))
	}
}

func TestCommunicator_fileInfoAndErrorsCrossTheConnection(t *testing.T) {
	comm := &recordingCommunicator{Communicator: local.Communicator{Dir: t.TempDir()}}
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		info := os.FileInfo(&fileInfo{w: wireFileInfo{Name: "x", Size: 2, Mode: 0o640}})
		if err := c.Upload("x", strings.NewReader("xy"), &info); err != nil {
			return err
		}
		err := c.Download("missing", io.Discard)
		if err == nil || !strings.Contains(err.Error(), "missing") {
			return fmt.Errorf("Download of a missing file = %v", err)
		}
		if err := c.UploadDir("tree", "/nonexistent-source", nil); err == nil {
			return errors.New("UploadDir of a missing source succeeded")
		}
		return nil
	}), nil, nil)
	if err := client.Provisioner().Provision(context.Background(), &recordingUi{}, comm); err != nil {
		t.Fatal(err)
	}
	if comm.mode != 0o640 {
		t.Errorf("file mode seen by the communicator = %v, want 0640", comm.mode)
	}
}

type recordingCommunicator struct {
	local.Communicator
	mode os.FileMode
}

func (c *recordingCommunicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	if fi != nil {
		c.mode = (*fi).Mode()
	}
	return c.Communicator.Upload(dst, src, fi)
}

func TestRemoteCmd_outputStreamsWhileTheCommandRuns(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	var status int
	ran := make(chan error, 1)
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{
			Command: `echo first; read line; echo "got $line"; echo oops >&2; exit 3`,
			Stdin:   stdinR, Stdout: stdoutW, Stderr: &stderr,
		}
		if err := c.Start(ctx, cmd); err != nil {
			return err
		}
		status = cmd.Wait()
		stdoutW.Close()
		return nil
	}), nil, nil)
	go func() { ran <- client.Provisioner().Provision(context.Background(), &recordingUi{}, comm) }()

	lines := bufio.NewScanner(stdoutR)
	// The first line arrives while the command still waits for its input.
	if !lines.Scan() || lines.Text() != "first" {
		t.Fatalf("first line = %q, want %q", lines.Text(), "first")
	}
	io.WriteString(stdinW, "pear\n")
	stdinW.Close()
	if !lines.Scan() || lines.Text() != "got pear" {
		t.Fatalf("second line = %q, want %q", lines.Text(), "got pear")
	}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if status != 3 {
		t.Errorf("exit status = %d, want 3", status)
	}
	if stderr.String() != "oops\n" {
		t.Errorf("stderr = %q: all output must be written before SetExited", stderr.String())
	}
}

func TestRemoteCmd_runWithUiShowsEachLine(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	ui := &recordingUi{}
	client := connect(t, funcProvisioner(func(ctx context.Context, pui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{Command: "printf 'one\\ntwo\\n'; echo three >&2"}
		status, err := cmd.RunWithUi(ctx, c, pui)
		if err != nil || status != 0 {
			return fmt.Errorf("status %d, err %v", status, err)
		}
		return nil
	}), nil, nil)
	if err := client.Provisioner().Provision(context.Background(), ui, comm); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"message: one", "message: two", "error: three"} {
		if !containsLine(ui.Lines(), want) {
			t.Errorf("Ui lines %q lack %q", ui.Lines(), want)
		}
	}
}

func TestRemoteCmd_cancellingTheContextStopsTheCommand(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan int, 1)
	client := connect(t, funcProvisioner(func(pctx context.Context, ui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{Command: "echo started; exec sleep 1000", Stdout: stdoutW}
		if err := c.Start(ctx, cmd); err != nil {
			return err
		}
		done <- cmd.Wait()
		return nil
	}), nil, nil)
	go client.Provisioner().Provision(context.Background(), &recordingUi{}, comm)

	lines := bufio.NewScanner(stdoutR)
	if !lines.Scan() {
		t.Fatal("no output from the command")
	}
	go io.Copy(io.Discard, stdoutR)
	cancel()
	if status := <-done; status == 0 {
		t.Errorf("a killed command exited with status 0")
	}
}

func TestRemoteCmd_startErrorReachesTheCaller(t *testing.T) {
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		return c.Start(ctx, &packer.RemoteCmd{Command: "true"})
	}), nil, nil)
	err := client.Provisioner().Provision(context.Background(), &recordingUi{}, &failingCommunicator{})
	if err == nil || !strings.Contains(err.Error(), "no shell here") {
		t.Fatalf("Provision = %v, want the communicator's error", err)
	}
}

type failingCommunicator struct{ local.Communicator }

func (*failingCommunicator) Start(context.Context, *packer.RemoteCmd) error {
	return errors.New("no shell here")
}

func TestPostProcessor_receivesTheArtifactAndMayHandItBack(t *testing.T) {
	input := &fileArtifact{id: "in", files: []string{"a"}}
	client := connect(t, funcPostProcessor(func(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
		ui.Say("got " + a.Id())
		return a, true, nil
	}), nil, nil)
	ui := &recordingUi{}
	result, keep, err := client.PostProcessor().PostProcess(context.Background(), ui, input)
	if err != nil {
		t.Fatal(err)
	}
	if result != packer.Artifact(input) {
		t.Errorf("handed-back artifact is %T, want the core's own artifact", result)
	}
	if !keep {
		t.Error("keep = false, want true")
	}
	if !containsLine(ui.Lines(), "say: got in") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
}

func TestCommand_runsWithArgsAndExitCode(t *testing.T) {
	client := connect(t, &echoCommand{}, nil, nil)
	cmd := client.Command()
	if cmd.Synopsis() != "echoes" || cmd.Help() != "Usage: packer echo ARGS" {
		t.Errorf("synopsis %q, help %q", cmd.Synopsis(), cmd.Help())
	}
	ui := &recordingUi{}
	if code := cmd.Run(context.Background(), ui, []string{"a", "b"}); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !containsLine(ui.Lines(), "say: a b") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
}

type echoCommand struct{}

func (echoCommand) Help() string     { return "Usage: packer echo ARGS" }
func (echoCommand) Synopsis() string { return "echoes" }
func (echoCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	ui.Say(strings.Join(args, " "))
	return len(args)
}

// TestRelay_aProvisionerInOneProcessUsesTheCommunicatorOfAnother is the
// classic Packer shape: the core (A) runs a builder (B) whose hook runs a
// provisioner (C) against B's communicator; every call from C reaches B
// through A.
func TestRelay_aProvisionerInOneProcessUsesTheCommunicatorOfAnother(t *testing.T) {
	requireUnix(t)
	builderComm := &local.Communicator{Dir: t.TempDir()}
	builderSide := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		if err := hook.Run(ctx, packer.HookProvision, ui, builderComm, nil); err != nil {
			return nil, err
		}
		return &fileArtifact{id: "built"}, nil
	}}, nil, nil)
	provisionerSide := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		if err := comm.Upload("script.sh", strings.NewReader("echo provisioned > out.txt\n"), nil); err != nil {
			return err
		}
		status, err := (&packer.RemoteCmd{Command: "sh script.sh"}).RunWithUi(ctx, comm, ui)
		if err != nil || status != 0 {
			return fmt.Errorf("script: status %d, %v", status, err)
		}
		return nil
	}), nil, nil)
	postProcessorSide := connect(t, funcPostProcessor(func(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
		return &fileArtifact{id: "processed " + a.Id()}, false, nil
	}), nil, nil)

	hook := funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		return provisionerSide.Provisioner().Provision(ctx, ui, comm)
	})
	artifact, err := builderSide.Builder().Run(context.Background(), &recordingUi{}, hook)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(builderComm.Dir, "out.txt"))
	if string(got) != "provisioned\n" {
		t.Errorf("out.txt = %q, want the provisioner's output", got)
	}
	result, _, err := postProcessorSide.PostProcessor().PostProcess(context.Background(), &recordingUi{}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	if result.Id() != "processed built" {
		t.Errorf("result artifact id = %q", result.Id())
	}
}

func TestCallbacks_reuseOneStreamPerObject(t *testing.T) {
	client := connect(t, funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		ui.Say(name)
		return nil
	}), nil, nil)
	hook := client.Hook()
	ui := discardUi{} // passed by value: still one object, one stream
	for range 3 {
		if err := hook.Run(context.Background(), "warm", ui, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	streams := client.s.mux.NumStreams()
	for range 20 {
		if err := hook.Run(context.Background(), "again", ui, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := client.s.mux.NumStreams(); got != streams {
		t.Errorf("20 more callbacks opened streams: %d before, %d after", streams, got)
	}
}

func TestServe_letsRunningCallsCleanUpAfterTheConnectionIsLost(t *testing.T) {
	core, pluginEnd := net.Pipe()
	started := make(chan struct{})
	cleanedUp := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- Serve(pluginEnd, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
			close(started)
			<-ctx.Done() // the lost connection cancels the call
			close(cleanedUp)
			return nil, ctx.Err()
		}}, nil)
	}()
	client, err := NewClient(core, nil)
	if err != nil {
		t.Fatal(err)
	}
	go client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	<-started
	client.Close()
	<-served
	select {
	case <-cleanedUp:
	default:
		t.Fatal("Serve returned before the running call had cleaned up")
	}
}

// countingArtifact counts the calls to its facts.
type countingArtifact struct {
	fileArtifact
	description string
	calls       atomic.Int32
}

func (a *countingArtifact) String() string { a.calls.Add(1); return a.description }
func (a *countingArtifact) Id() string     { a.calls.Add(1); return a.id }

func TestArtifact_factsAreReadOnceAndTravelWithTheArtifact(t *testing.T) {
	artifact := &countingArtifact{fileArtifact: fileArtifact{id: "img-1"}, description: "an image"}
	client := connect(t, &funcBuilder{run: func(context.Context, packer.Ui, packer.Hook) (packer.Artifact, error) {
		return artifact, nil
	}}, nil, nil)
	got, err := client.Builder().Run(context.Background(), &recordingUi{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got.String() != "an image" || got.Id() != "img-1" {
			t.Fatalf("facts %q %q", got.String(), got.Id())
		}
	}
	if n := artifact.calls.Load(); n != 2 {
		t.Errorf("String and Id were called %d times in the plugin for 3 reads each, want once each", n)
	}
}

func TestArtifact_aHugeDescriptionIsCutWithANoteAndAHugeIdIsAnError(t *testing.T) {
	huge := strings.Repeat("d", 100<<20)
	artifact := &countingArtifact{fileArtifact: fileArtifact{id: "img"}, description: huge}
	client := connect(t, &funcBuilder{run: func(context.Context, packer.Ui, packer.Hook) (packer.Artifact, error) {
		return artifact, nil
	}}, nil, nil)
	got, err := client.Builder().Run(context.Background(), &recordingUi{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.String(); !strings.HasPrefix(s, "ddd") || !strings.HasSuffix(s, "[the artifact's description is 104857600 bytes; the first 1048576 are shown]") {
		t.Errorf("description %d bytes, ending %q", len(s), s[max(len(s)-80, 0):])
	}

	artifact = &countingArtifact{fileArtifact: fileArtifact{id: strings.Repeat("i", 1<<20)}}
	if _, err := client.Builder().Run(context.Background(), &recordingUi{}, nil); err == nil || !strings.Contains(err.Error(), "the artifact's Id() is 1048576 bytes") {
		t.Errorf("a 1 MiB Id: %v", err)
	}
}

func TestContext_aCallThatIgnoresItsDeadlineIsGivenUpOnAndReported(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stubborn := funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		<-release // ignores ctx
		return nil
	})
	abandoned := make(chan string, 1)
	client := connect(t, stubborn, nil, &Config{deadlineGrace: 50 * time.Millisecond, OnAbandon: func(m string) { abandoned <- m }})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := client.Provisioner().Provision(ctx, &recordingUi{}, nil)
	if !errors.Is(err, ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Provisioner.Provision") {
		t.Errorf("Provision = %v, want ErrAbandoned and DeadlineExceeded naming the method", err)
	}
	if m := <-abandoned; m != "Provisioner.Provision" {
		t.Errorf("OnAbandon heard of %q", m)
	}
}

func TestContext_aCancelledCallIsWaitedForWhileItCleansUp(t *testing.T) {
	cleaning := make(chan struct{})
	slow := funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		<-ctx.Done()
		close(cleaning)
		<-time.After(200 * time.Millisecond) // cleaning up for longer than the grace
		return errors.New("cleaned up")
	})
	client := connect(t, slow, nil, &Config{deadlineGrace: time.Millisecond, OnAbandon: func(m string) { t.Errorf("%s abandoned on a cancel", m) }})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-time.After(10 * time.Millisecond); cancel() }()
	if err := client.Provisioner().Provision(ctx, &recordingUi{}, nil); err == nil || err.Error() != "cleaned up" {
		t.Errorf("Provision = %v, want the provisioner's own error after its cleanup", err)
	}
	<-cleaning
}
