package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// flakyProvisioner fails until its attempts run out, or hangs until its
// context ends.
type flakyProvisioner struct {
	failures int
	hang     bool
	attempts int
}

func (p *flakyProvisioner) Prepare(raws ...any) error { return nil }

func (p *flakyProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	p.attempts++
	if p.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if p.attempts <= p.failures {
		return fmt.Errorf("attempt %d failed", p.attempts)
	}
	return nil
}

func provisionWith(t *testing.T, provisionerJSON string, p packer.Provisioner) error {
	t.Helper()
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}], "provisioners": [` + provisionerJSON + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{
		Builder:     func(string) (packer.Builder, error) { return &testFileBuilder{}, nil },
		Provisioner: func(string) (packer.Provisioner, error) { return p, nil },
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := core.Build("null")
	if _, err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	_, err = b.Run(context.Background(), discardUi{})
	return err
}

func TestProvisionHook_retriesUpToMaxRetries(t *testing.T) {
	p := &flakyProvisioner{failures: 2}
	if err := provisionWith(t, `{"type": "flaky", "max_retries": 2}`, p); err != nil {
		t.Fatalf("with two retries: %v", err)
	}
	p = &flakyProvisioner{failures: 2}
	err := provisionWith(t, `{"type": "flaky", "max_retries": 1}`, p)
	if err == nil || !strings.Contains(err.Error(), "attempt 2 failed") {
		t.Fatalf("with one retry: %v", err)
	}
}

func TestProvisionHook_timeoutEndsAHungProvisioner(t *testing.T) {
	err := provisionWith(t, `{"type": "hang", "timeout": "10ms"}`, &flakyProvisioner{hang: true})
	if err == nil || !strings.Contains(err.Error(), `timed out after 10ms (the provisioner's "timeout")`) {
		t.Fatalf("Run = %v", err)
	}
}

func TestBuild_postProcessorChainsKeepAndDestroyAsPackerDoes(t *testing.T) {
	builderArtifact := &testArtifact{id: "built"}
	intermediate := &testArtifact{id: "intermediate"}
	final := &testArtifact{id: "final"}
	tpl, _ := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}],
		"post-processors": [["first", "second"]]}`))
	steps := map[string]packer.PostProcessor{
		"first":  ppFunc(func(a packer.Artifact) (packer.Artifact, bool) { return intermediate, false }),
		"second": ppFunc(func(a packer.Artifact) (packer.Artifact, bool) { return final, false }),
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{
		Builder:       func(string) (packer.Builder, error) { return fixedBuilder{builderArtifact}, nil },
		PostProcessor: func(typ string) (packer.PostProcessor, error) { return steps[typ], nil },
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := core.Build("null")
	artifacts, err := b.Run(context.Background(), discardUi{})
	if err != nil {
		t.Fatal(err)
	}
	if len(artifacts) != 1 || artifacts[0] != packer.Artifact(final) {
		t.Errorf("artifacts = %v, want only the chain's last", artifacts)
	}
	if builderArtifact.destroyed != 1 || intermediate.destroyed != 1 || final.destroyed != 0 {
		t.Errorf("destroyed: builder %d, intermediate %d, final %d; want 1, 1, 0", builderArtifact.destroyed, intermediate.destroyed, final.destroyed)
	}
}

// TestBuild_keptIntermediateArtifactsAreListedAndFailuresEndTheirChain
// follows Packer's CoreBuild.Run step by step.
func TestBuild_keptIntermediateArtifactsAreListedAndFailuresEndTheirChain(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name      string
		chains    string // the post-processors, by type
		steps     map[string]ppStep
		want      []string // the ids of the artifacts the build leaves
		destroyed []string
		err       bool
	}{
		{name: "a kept intermediate is listed before the chain's last",
			chains: `[["checksum", "compress"]]`,
			steps:  map[string]ppStep{"checksum": {id: "sums", keep: true}, "compress": {id: "tar", keep: false}},
			want:   []string{"built", "tar"}, destroyed: []string{"sums"}},
		{name: "a later step keeping its input lists it",
			chains: `[["artifice", "checksum"]]`,
			steps:  map[string]ppStep{"artifice": {id: "files", keep: true}, "checksum": {id: "sums", keep: true}},
			want:   []string{"built", "files", "sums"}},
		{name: "a first step that fails ends its chain and the builder's artifact is destroyed",
			chains: `["shell-local"]`,
			steps:  map[string]ppStep{"shell-local": {err: boom}},
			want:   nil, destroyed: []string{"built"}, err: true},
		{name: "a failing later step lists neither its input nor anything after",
			chains: `[["artifice", "compress", "manifest"], ["manifest"]]`,
			steps:  map[string]ppStep{"artifice": {id: "files", keep: true}, "compress": {err: boom}, "manifest": {passOn: true, keep: true}},
			want:   []string{"built", "built"}, err: true},
		{name: "no artifact ends the chain quietly",
			chains: `[["nothing", "manifest"]]`,
			steps:  map[string]ppStep{"nothing": {}, "manifest": {passOn: true, keep: true}},
			want:   nil, destroyed: []string{"built"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			made := map[string]*testArtifact{"built": {id: "built"}}
			tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}], "post-processors": ` + c.chains + `}`))
			if err != nil {
				t.Fatal(err)
			}
			core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{
				Builder: func(string) (packer.Builder, error) { return fixedBuilder{made["built"]}, nil },
				PostProcessor: func(typ string) (packer.PostProcessor, error) {
					step := c.steps[typ]
					return ppErrFunc(func(in packer.Artifact) (packer.Artifact, bool, error) {
						switch {
						case step.err != nil:
							return nil, false, step.err
						case step.passOn:
							return in, step.keep, nil
						case step.id == "":
							return nil, false, nil
						}
						a := &testArtifact{id: step.id}
						made[step.id] = a
						return a, step.keep, nil
					}), nil
				},
			}})
			if err != nil {
				t.Fatal(err)
			}
			b, err := core.Build("null")
			if err != nil {
				t.Fatal(err)
			}
			artifacts, err := b.Run(context.Background(), discardUi{})
			if (err != nil) != c.err {
				t.Errorf("Run error = %v, want an error: %v", err, c.err)
			}
			var ids []string
			for _, a := range artifacts {
				ids = append(ids, a.Id())
			}
			if !reflect.DeepEqual(ids, c.want) {
				t.Errorf("artifacts %v, Packer leaves %v", ids, c.want)
			}
			var destroyed []string
			for id, a := range made {
				if a.destroyed > 0 {
					destroyed = append(destroyed, id)
				}
			}
			sort.Strings(destroyed)
			if !reflect.DeepEqual(destroyed, c.destroyed) {
				t.Errorf("destroyed %v, Packer destroys %v", destroyed, c.destroyed)
			}
		})
	}
}

// TestBuild_unsharedBuildValuesRenderNoValueWithAWarning: Packer renders
// {{build `X`}} of a value the builder did not share as "<no value>" (also
// for a builder that shares nothing, as the file builder), and {{user `x`}}
// of an undeclared variable as ""; so does this, warning once about each,
// naming the component and key.
func TestBuild_unsharedBuildValuesRenderNoValueWithAWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs sh")
	}
	for _, c := range []struct {
		name    string
		builder func(dir string) packer.Builder
		want    string
	}{
		{"a builder that shares ID", func(dir string) packer.Builder { return &testFileBuilder{dir: dir} }, "Null|<no value>|\n"},
		{"a builder that shares nothing", func(string) packer.Builder { return nilDataBuilder{} }, "<no value>|<no value>|\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}],
				"provisioners": [{"type": "shell-local", "inline": ["echo '{{build ` + "`ID`" + `}}|{{build ` + "`Host`" + `}}|{{user ` + "`nope`" + `}}' > out.txt"]}]}`))
			if err != nil {
				t.Fatal(err)
			}
			components := shellComponents(dir)
			components.Builder = func(string) (packer.Builder, error) { return c.builder(dir), nil }
			core, err := NewCore(&CoreConfig{Template: tpl, Components: components})
			if err != nil {
				t.Fatal(err)
			}
			b, err := core.Build("null")
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := b.Prepare()
			if err != nil {
				t.Fatal(err)
			}
			ui := &recordingUi{}
			if _, err := b.Run(context.Background(), ui); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "out.txt")); string(got) != c.want {
				t.Errorf("rendered %q, want %q as Packer renders it", got, c.want)
			}
			all := strings.Join(warnings, "\n") + "\n" + ui.said()
			for _, want := range []string{
				"provisioner 1 (shell-local): inline[0]: {{user `nope`}}: no variable \"nope\" is declared",
				"provisioner 1 (shell-local): inline[0]: {{build `Host`}}: the builder shared no value \"Host\"",
			} {
				if strings.Count(all, want) != 1 {
					t.Errorf("want the warning %q once in:\n%s", want, all)
				}
			}
		})
	}
}

// TestBuild_onErrorDecidesWhetherTheErrorCleanupProvisionerRuns, as in
// Packer: cleanup and run-cleanup-provisioner run it, abort does not.
func TestBuild_onErrorDecidesWhetherTheErrorCleanupProvisionerRuns(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}],
		"provisioners": [{"type": "shell-local", "inline": ["exit 3"]}],
		"error-cleanup-provisioner": {"type": "shell-local", "inline": ["touch cleanup.txt"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for mode, want := range map[string]bool{OnErrorCleanup: true, OnErrorAbort: false, OnErrorRunCleanupProvisioner: true} {
		dir := t.TempDir()
		core, err := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(dir)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := core.Build("null")
		b.SetOnError(mode)
		if _, err := b.Prepare(); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Run(context.Background(), discardUi{}); err == nil {
			t.Fatalf("-on-error=%s: the failing provisioner did not fail the build", mode)
		}
		_, statErr := os.Stat(filepath.Join(dir, "cleanup.txt"))
		if ran := statErr == nil; ran != want {
			t.Errorf("-on-error=%s: error-cleanup-provisioner ran: %v, Packer: %v", mode, ran, want)
		}
	}
}

// TestBuild_debugAsksBeforeEachProvisionerAndGoesOnWithoutATerminal: -debug
// pauses on the Ui before each provisioner, as Packer does; with no
// terminal to ask on it says so and does not wait.
func TestBuild_debugAsksBeforeEachProvisionerAndGoesOnWithoutATerminal(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}],
		"provisioners": [{"type": "shell-local", "inline": ["touch one"]}, {"type": "shell-local", "inline": ["touch two"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, terminal := range []bool{true, false} {
		dir := t.TempDir()
		core, err := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(dir)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := core.Build("null")
		b.SetDebug(true)
		if _, err := b.Prepare(); err != nil {
			t.Fatal(err)
		}
		ui := &recordingUi{}
		if terminal {
			ui.ask = func(string) (string, error) { return "", nil }
		}
		if _, err := b.Run(context.Background(), ui); err != nil {
			t.Fatal(err)
		}
		said := ui.said()
		if n := strings.Count(said, "asked: "+debugPause); n != 2 {
			t.Errorf("terminal %v: asked %d times, want before each of 2 provisioners:\n%s", terminal, n, said)
		}
		if got := strings.Contains(said, "-debug: cannot pause"); got == terminal {
			t.Errorf("terminal %v: said it cannot pause: %v\n%s", terminal, got, said)
		}
	}

	// A cancelled build stops waiting for the answer.
	ctx, cancel := context.WithCancel(context.Background())
	core, _ := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(t.TempDir())})
	b, _ := core.Build("null")
	b.SetDebug(true)
	b.Prepare()
	release := make(chan struct{})
	defer close(release)
	ui := &recordingUi{ask: func(string) (string, error) { cancel(); <-release; return "", nil }}
	if _, err := b.Run(ctx, ui); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while paused: %v, want context.Canceled", err)
	}
}
