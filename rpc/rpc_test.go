package rpc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

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

func (echoCommand) Help() string { return "Usage: packer echo ARGS" }

func (echoCommand) Synopsis() string { return "echoes" }

func (echoCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	ui.Say(strings.Join(args, " "))
	return len(args)
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

// countingArtifact counts the calls to its facts.
type countingArtifact struct {
	fileArtifact
	description string
	calls       atomic.Int32
}

func (a *countingArtifact) String() string { a.calls.Add(1); return a.description }

func (a *countingArtifact) Id() string { a.calls.Add(1); return a.id }

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
