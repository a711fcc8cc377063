package packer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer/template"
)

// The components below are small but real: they write files and run shell
// commands, so the Core is tested by what a build leaves on disk.

// testFileBuilder writes "content" to "target" in dir, like Packer's file
// builder, and shares {"ID": "Null"} with the provision hook like the null
// builder.
type testFileBuilder struct {
	dir      string
	config   struct{ Content, Target, Communicator string }
	prepared []map[string]any
}

func (b *testFileBuilder) Prepare(raws ...any) ([]string, error) {
	for _, r := range raws {
		b.prepared = append(b.prepared, r.(map[string]any))
	}
	return nil, DecodeConfig(&b.config, raws...)
}

func (b *testFileBuilder) Run(ctx context.Context, ui Ui, hook Hook) (Artifact, error) {
	if err := hook.Run(ctx, HookProvision, ui, nil, map[string]any{"ID": "Null"}); err != nil {
		return nil, err
	}
	if b.config.Target == "" {
		return &testArtifact{id: "Null"}, nil
	}
	path := filepath.Join(b.dir, b.config.Target)
	if err := os.WriteFile(path, []byte(b.config.Content), 0o644); err != nil {
		return nil, err
	}
	return &testArtifact{id: path, files: []string{path}}, nil
}

// testShell runs "inline" commands with sh in dir, as a provisioner or a
// post-processor, like shell-local.
type testShell struct {
	dir    string
	config struct{ Inline []string }
}

func (s *testShell) Prepare(raws ...any) error { return DecodeConfig(&s.config, raws...) }

func (s *testShell) run(ctx context.Context) error {
	for _, line := range s.config.Inline {
		cmd := exec.CommandContext(ctx, "sh", "-c", line)
		cmd.Dir = s.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%q: %v: %s", line, err, out)
		}
	}
	return nil
}

func (s *testShell) Provision(ctx context.Context, ui Ui, comm Communicator) error { return s.run(ctx) }

type testShellPostProcessor struct{ testShell }

func (s *testShellPostProcessor) PostProcess(ctx context.Context, ui Ui, a Artifact) (Artifact, bool, error) {
	return a, true, s.run(ctx)
}

type testArtifact struct {
	id        string
	files     []string
	mu        sync.Mutex
	destroyed int
}

func (a *testArtifact) BuilderId() string     { return "test" }
func (a *testArtifact) Files() []string       { return a.files }
func (a *testArtifact) Id() string            { return a.id }
func (a *testArtifact) String() string        { return a.id }
func (a *testArtifact) State(name string) any { return nil }
func (a *testArtifact) Destroy() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.destroyed++
	return nil
}

func shellComponents(dir string) ComponentFinder {
	return ComponentFinder{
		Builder: func(typ string) (Builder, error) {
			if typ != "file" && typ != "null" {
				return nil, fmt.Errorf("no builder %q", typ)
			}
			return &testFileBuilder{dir: dir}, nil
		},
		Provisioner: func(typ string) (Provisioner, error) {
			if typ != "shell-local" {
				return nil, fmt.Errorf("no provisioner %q", typ)
			}
			return &testShell{dir: dir}, nil
		},
		PostProcessor: func(typ string) (PostProcessor, error) {
			if typ != "shell-local" {
				return nil, fmt.Errorf("unknown post-processor type %q", typ)
			}
			return &testShellPostProcessor{testShell{dir: dir}}, nil
		},
	}
}

func commandFixture(t *testing.T, rel string) *template.Template {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		candidate := filepath.Join(dir, "..", "shared", "packer-fixtures", "v1.9.5", "command", "test-fixtures", rel)
		if _, err := os.Stat(candidate); err == nil {
			tpl, err := template.ParseFile(candidate)
			if err != nil {
				t.Fatal(err)
			}
			return tpl
		}
		if filepath.Dir(dir) == dir {
			t.Skipf("Packer's fixtures are not beside this checkout (../shared/packer-fixtures)")
		}
		dir = filepath.Dir(dir)
	}
}

// buildAll runs every selected build one after the other, as
// -parallel-builds=1 does, and returns the names of the files left in dir.
func buildAll(t *testing.T, cfg *CoreConfig, dir string) ([]string, error) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("runs sh")
	}
	core, err := NewCore(cfg)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, name := range core.BuildNames() {
		b, err := core.Build(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := b.Prepare(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := b.Run(context.Background(), discardUi{}); err != nil {
			errs = append(errs, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	sort.Strings(files)
	return files, errors.Join(errs...)
}

// TestCore_buildOnlyFixtureLeavesWhatPackerLeft reproduces the table in
// shared/packer-fixtures/README.md for build-only/template.json.
func TestCore_buildOnlyFixtureLeavesWhatPackerLeft(t *testing.T) {
	tpl := commandFixture(t, "build-only/template.json")
	for _, tc := range []struct {
		only, except []string
		want         string
	}{
		{only: []string{"chocolate", "vanilla"}, want: "apple banana chocolate peach pear tomato unnamed vanilla"},
		{except: []string{"chocolate", "vanilla", "tomato"}, want: "apple banana cherry peach pear"},
		{want: "apple banana cherry chocolate peach pear tomato unnamed vanilla"},
	} {
		dir := t.TempDir()
		files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Only: tc.only, Except: tc.except}, dir)
		if err != nil {
			t.Errorf("-only=%v -except=%v: %v", tc.only, tc.except, err)
		}
		got := strings.ReplaceAll(strings.Join(files, " "), ".txt", "")
		if got != tc.want {
			t.Errorf("-only=%v -except=%v left %q, Packer left %q", tc.only, tc.except, got, tc.want)
		}
	}
}

// TestCore_errorCleanupProvisionerRunsWhenProvisioningFails is Packer's
// cleanup-script fixture: the provisioner exits 2, the build fails, and the
// error-cleanup-provisioner has left ducky.txt.
func TestCore_errorCleanupProvisionerRunsWhenProvisioningFails(t *testing.T) {
	tpl := commandFixture(t, "cleanup-script/template.json")
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir)}, dir)
	if err == nil || !strings.Contains(err.Error(), "provisioner shell-local") {
		t.Errorf("build error = %v, want the failing provisioner's", err)
	}
	if got := strings.Join(files, " "); got != "ducky.txt" {
		t.Errorf("files left: %q, want ducky.txt from the error-cleanup-provisioner", got)
	}
}

func TestCore_errorCleanupProvisionerDoesNotRunWhenProvisioningSucceeds(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"builders": [{"type": "null"}],
		"provisioners": [{"type": "shell-local", "inline": ["touch ok.txt"]}],
		"error-cleanup-provisioner": {"type": "shell-local", "inline": ["touch cleanup.txt"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir)}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(files, " "); got != "ok.txt" {
		t.Errorf("files left: %q, want only ok.txt", got)
	}
}

func TestCore_buildNamesAreRenderedAsPackerRendersThem(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"os": "debian"},
		"builders": [{"type": "null", "name": "{{user ` + "`os`" + `}}-vm"}],
		"provisioners": [{"type": "shell-local", "inline": ["touch {{build_name}}.txt"]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := &CoreConfig{Template: tpl, Components: shellComponents(dir), Variables: map[string]string{"os": "ubuntu"}, Only: []string{"ubuntu-vm"}}
	files, err := buildAll(t, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(files, " "); got != "ubuntu-vm.txt" {
		t.Errorf("files left: %q, want ubuntu-vm.txt (build_name is the rendered name)", got)
	}

	cfg.Only = []string{"{{user `os`}}-vm"}
	core, err := NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if names, unknown := core.BuildNames(), core.UnknownSelections(); len(names) != 0 || !reflect.DeepEqual(unknown, []string{"-only={{user `os`}}-vm"}) {
		t.Errorf("-only with the unrendered name selects %v, unknown %v; want nothing selected and the name reported", names, unknown)
	}
}

func TestCore_anUnknownBuilderFailsOnlyItsOwnBuild(t *testing.T) {
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: commandFixture(t, "build-only/not-found.json"), Components: shellComponents(dir)}, dir)
	if err == nil || !strings.Contains(err.Error(), `build "vanilla": builder "non-existing"`) {
		t.Errorf("error = %v, want the missing builder named", err)
	}
	if want := []string{"chocolate.txt", "unnamed.txt"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, Packer left %v", files, want)
	}
}

func TestCore_buildValuesReachProvisionersAndPostProcessors(t *testing.T) {
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: commandFixture(t, "build-variable-sharing/template.json"), Components: shellComponents(dir)}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"post-processor.Null.txt", "provisioner.Null.txt"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, want %v", files, want)
	}
}

func TestCore_varFileAndVarFlagValuesReachComponents(t *testing.T) {
	tpl := commandFixture(t, "var-arg/fruit_builder.json")
	for _, fruit := range []string{"apple", "pear"} {
		dir := t.TempDir()
		files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Variables: map[string]string{"fruit": fruit}}, dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{fruit + ".txt"}; !reflect.DeepEqual(files, want) {
			t.Errorf("files = %v, want %v", files, want)
		}
	}
}

func TestCore_componentsReceiveThePackerKeys(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"fruit": "pear"},
		"builders": [{"type": "file", "name": "potato", "target": "{{user ` + "`fruit`" + `}}.txt"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	builder := &testFileBuilder{dir: t.TempDir()}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{Builder: func(string) (Builder, error) { return builder, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := core.Build("potato")
	b.SetDebug(true)
	b.SetForce(true)
	b.SetOnError("abort")
	if _, err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		BuildNameConfigKey: "potato", BuilderTypeConfigKey: "file", DebugConfigKey: true,
		ForceConfigKey: true, OnErrorConfigKey: "abort", UserVariablesConfigKey: map[string]string{"fruit": "pear"},
	}
	if !reflect.DeepEqual(builder.prepared[1], want) {
		t.Errorf("packer keys = %#v\nwant %#v", builder.prepared[1], want)
	}
	if builder.config.Target != "pear.txt" {
		t.Errorf("target rendered as %q", builder.config.Target)
	}
}

func TestNewCore_reportsTemplateAndVariableProblemsTogether(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"min_packer_version": "9.0.0",
		"variables": {"fruit": null},
		"builders": [{"type": "null"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewCore(&CoreConfig{Template: tpl, Version: "1.0.0"})
	for _, want := range []string{"needs packer 9.0.0 or newer", `required variable "fruit" has no value`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewCore = %v\nwant %q", err, want)
		}
	}
}

// flakyProvisioner fails until its attempts run out, or hangs until its
// context ends.
type flakyProvisioner struct {
	failures int
	hang     bool
	attempts int
}

func (p *flakyProvisioner) Prepare(raws ...any) error { return nil }
func (p *flakyProvisioner) Provision(ctx context.Context, ui Ui, comm Communicator) error {
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

func provisionWith(t *testing.T, provisionerJSON string, p Provisioner) error {
	t.Helper()
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}], "provisioners": [` + provisionerJSON + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{
		Builder:     func(string) (Builder, error) { return &testFileBuilder{}, nil },
		Provisioner: func(string) (Provisioner, error) { return p, nil },
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
	steps := map[string]PostProcessor{
		"first":  ppFunc(func(a Artifact) (Artifact, bool) { return intermediate, false }),
		"second": ppFunc(func(a Artifact) (Artifact, bool) { return final, false }),
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{
		Builder:       func(string) (Builder, error) { return fixedBuilder{builderArtifact}, nil },
		PostProcessor: func(typ string) (PostProcessor, error) { return steps[typ], nil },
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := core.Build("null")
	artifacts, err := b.Run(context.Background(), discardUi{})
	if err != nil {
		t.Fatal(err)
	}
	if len(artifacts) != 1 || artifacts[0] != Artifact(final) {
		t.Errorf("artifacts = %v, want only the chain's last", artifacts)
	}
	if builderArtifact.destroyed != 1 || intermediate.destroyed != 1 || final.destroyed != 0 {
		t.Errorf("destroyed: builder %d, intermediate %d, final %d; want 1, 1, 0", builderArtifact.destroyed, intermediate.destroyed, final.destroyed)
	}
}

type ppFunc func(a Artifact) (Artifact, bool)

func (f ppFunc) Prepare(raws ...any) error { return nil }
func (f ppFunc) PostProcess(ctx context.Context, ui Ui, a Artifact) (Artifact, bool, error) {
	r, keep := f(a)
	return r, keep, nil
}

// fixedBuilder returns the same artifact every run.
type fixedBuilder struct{ artifact Artifact }

func (f fixedBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }
func (f fixedBuilder) Run(ctx context.Context, ui Ui, hook Hook) (Artifact, error) {
	return f.artifact, nil
}

// discardUi shows nothing; these tests look at what builds leave on disk.
type discardUi struct{}

func (discardUi) Ask(string) (string, error) { return "", ErrNoTerminal }
func (discardUi) Say(string)                 {}
func (discardUi) Message(string)             {}
func (discardUi) Error(string)               {}
func (discardUi) Machine(string, ...string)  {}

func TestEscapeControl_keepsTextAndShowsControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\twith tab\nand newline": "plain text\twith tab\nand newline",
		"bad \x1b[2Jthing":                  "bad \\x1b[2Jthing",
		"progress 50%\rprogress 100%":       "progress 50%progress 100%",
		"bell\a":                            "bell\\x07",
	} {
		if got := EscapeControl(in); got != want {
			t.Errorf("EscapeControl(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCore_displayNameIsTypeDotNameAsPackerShowsIt(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [
		{"type": "null"}, {"type": "null", "name": "web"}, {"type": "file", "name": "db", "target": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"null": "null", "web": "null.web", "db": "file.db"} {
		if got := core.DisplayName(name); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCore_onlyAndExceptBothApplyAndSelectByBareName: Packer applies -only
// then -except, by a build's bare name; TYPE.NAME and globs select nothing.
func TestCore_onlyAndExceptBothApplyAndSelectByBareName(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [
		{"type": "null"}, {"type": "null", "name": "b2"}, {"type": "file", "name": "f1", "target": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		only, except  []string
		want, unknown []string
	}{
		{only: []string{"b2", "f1"}, except: []string{"f1"}, want: []string{"b2"}},
		{only: []string{"null.b2"}, unknown: []string{"-only=null.b2"}},
		{except: []string{"*"}, want: []string{"b2", "f1", "null"}, unknown: []string{"-except=*"}},
		{only: []string{"f*", "null"}, want: []string{"null"}, unknown: []string{"-only=f*"}},
	} {
		core, err := NewCore(&CoreConfig{Template: tpl, Only: c.only, Except: c.except})
		if err != nil {
			t.Fatal(err)
		}
		if got := core.BuildNames(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("-only=%v -except=%v runs %v, Packer runs %v", c.only, c.except, got, c.want)
		}
		if got := core.UnknownSelections(); !reflect.DeepEqual(got, c.unknown) {
			t.Errorf("-only=%v -except=%v: unknown selections %v, want %v", c.only, c.except, got, c.unknown)
		}
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
				Builder: func(string) (Builder, error) { return fixedBuilder{made["built"]}, nil },
				PostProcessor: func(typ string) (PostProcessor, error) {
					step := c.steps[typ]
					return ppErrFunc(func(in Artifact) (Artifact, bool, error) {
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

type ppStep struct {
	id     string // the artifact it makes; "" makes none
	keep   bool
	passOn bool // returns its input, as manifest does
	err    error
}

type ppErrFunc func(a Artifact) (Artifact, bool, error)

func (f ppErrFunc) Prepare(raws ...any) error { return nil }
func (f ppErrFunc) PostProcess(ctx context.Context, ui Ui, a Artifact) (Artifact, bool, error) {
	return f(a)
}

// nilDataBuilder runs the provision hook with nil data, as Packer's file
// builder does.
type nilDataBuilder struct{}

func (nilDataBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }
func (nilDataBuilder) Run(ctx context.Context, ui Ui, hook Hook) (Artifact, error) {
	if err := hook.Run(ctx, HookProvision, ui, nil, nil); err != nil {
		return nil, err
	}
	return &testArtifact{id: "File"}, nil
}

// recordingUi keeps what a build says.
type recordingUi struct {
	discardUi
	mu    sync.Mutex
	lines []string
	ask   func(string) (string, error)
}

func (u *recordingUi) Say(m string) { u.mu.Lock(); u.lines = append(u.lines, m); u.mu.Unlock() }
func (u *recordingUi) Ask(q string) (string, error) {
	u.Say("asked: " + q)
	if u.ask == nil {
		return "", ErrNoTerminal
	}
	return u.ask(q)
}
func (u *recordingUi) said() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.lines, "\n")
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
		builder func(dir string) Builder
		want    string
	}{
		{"a builder that shares ID", func(dir string) Builder { return &testFileBuilder{dir: dir} }, "Null|<no value>|\n"},
		{"a builder that shares nothing", func(string) Builder { return nilDataBuilder{} }, "<no value>|<no value>|\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}],
				"provisioners": [{"type": "shell-local", "inline": ["echo '{{build ` + "`ID`" + `}}|{{build ` + "`Host`" + `}}|{{user ` + "`nope`" + `}}' > out.txt"]}]}`))
			if err != nil {
				t.Fatal(err)
			}
			components := shellComponents(dir)
			components.Builder = func(string) (Builder, error) { return c.builder(dir), nil }
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

// TestNewCore_minPackerVersionOnAGitHashBuildIsSkippedWithAWarning: a
// build stamped with a git revision cannot be compared with
// min_packer_version; it runs, and says the check was skipped.
func TestNewCore_minPackerVersionOnAGitHashBuildIsSkippedWithAWarning(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"min_packer_version": "99.0.0", "builders": [{"type": "null"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Version: "c0ffee1-dirty"})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(core.Warnings(), "\n"); !strings.Contains(w, "min_packer_version 99.0.0 is not checked") || !strings.Contains(w, `"c0ffee1-dirty"`) {
		t.Errorf("warnings = %q", w)
	}
	if _, err := NewCore(&CoreConfig{Template: tpl, Version: "1.2.3"}); err == nil || !strings.Contains(err.Error(), "needs packer 99.0.0") {
		t.Errorf("a release build: %v, want it refused", err)
	}
}

// TestCore_exceptNamingAPostProcessorDropsTheRestOfItsChain, as Packer's
// Core.Build does: the steps after it would work on its artifact.
func TestCore_exceptNamingAPostProcessorDropsTheRestOfItsChain(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}], "post-processors": [
		[{"type": "shell-local", "name": "first", "inline": ["touch first"]}, {"type": "shell-local", "name": "sums", "inline": ["touch sums"]}, {"type": "shell-local", "inline": ["touch after"]}],
		[{"type": "shell-local", "name": "other", "inline": ["touch other"]}]]}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Except: []string{"sums"}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first", "other"}; !reflect.DeepEqual(files, want) {
		t.Errorf("-except=sums ran the post-processors that left %v, Packer leaves %v", files, want)
	}
}
