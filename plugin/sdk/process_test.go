package sdk

import (
	"bytes"
	"context"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
	"github.com/packer-classic/packer/plugin"
)

// syncBuffer is a log that tests read while plugins write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func start(t *testing.T, kind packer.Kind, component string, logs *syncBuffer) (*Process, any) {
	t.Helper()
	fixture := testdeps.SDKFixture(t, "")
	sup := &plugin.Supervisor{}
	t.Cleanup(sup.KillAll)
	p, err := Start(Config{Path: fixture, Kind: kind, Component: component, Supervisor: sup, Logger: log.New(logs, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Component()
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// recordingHook runs fn with the communicator the builder lends.
type recordingHook struct {
	fn func(comm packer.Communicator, data any) error
}

func (h recordingHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	return h.fn(comm, data)
}

func TestBuilder_runsAcrossTheProcessAndLendsItsCommunicator(t *testing.T) {
	logs := &syncBuffer{}
	p, c := start(t, packer.KindBuilder, "local", logs)
	b := c.(packer.Builder)
	dir := t.TempDir()
	warnings, err := b.Prepare(map[string]any{"message": "hi {{user `who`}}", "output_dir": dir},
		map[string]any{packer.UserVariablesConfigKey: map[string]string{"who": "you"}, packer.BuildNameConfigKey: "b1"})
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Prepare = %v, %v", warnings, err)
	}
	if got := b.(packer.GeneratingBuilder).GeneratedVars(); len(got) != 1 || got[0] != "FixtureVar" {
		t.Errorf("generated vars = %v", got)
	}
	ui := &packertest.Ui{}
	var out string
	var data any
	hook := recordingHook{fn: func(comm packer.Communicator, d any) error {
		data = d
		var stdout bytes.Buffer
		cmd := &packer.RemoteCmd{Command: "cat; echo done; exit 4", Stdin: strings.NewReader("in\n"), Stdout: &stdout}
		if err := comm.Start(context.Background(), cmd); err != nil {
			return err
		}
		if status := cmd.Wait(); status != 4 {
			t.Errorf("exit status %d, want 4", status)
		}
		out = stdout.String()
		return nil
	}}
	art, err := b.Run(context.Background(), ui, hook)
	if err != nil {
		t.Fatal(err)
	}
	if out != "in\ndone\n" {
		t.Errorf("command output %q", out)
	}
	if m, _ := data.(map[string]any); m["ID"] != "fixture-1" {
		t.Errorf("hook data %#v", data)
	}
	if art.Id() != "fixture-1" || len(art.Files()) != 1 || art.BuilderId() != "fixture.local" {
		t.Errorf("artifact %q %v %q", art.Id(), art.Files(), art.BuilderId())
	}
	if gd, _ := art.State("generated_data").(map[string]any); gd["FixtureVar"] != "fv" {
		t.Errorf("generated_data %#v", art.State("generated_data"))
	}
	if !strings.Contains(ui.Shown(), "fixture builder: hi you") {
		t.Errorf("ui got %q", ui.Shown())
	}
	p.Kill()
	if _, err := os.Stat(p.privateDir); !os.IsNotExist(err) {
		t.Errorf("the private directory %s is still there after the plugin exited: %v", p.privateDir, err)
	}
	_ = filepath.Join
	_ = time.Second
}
