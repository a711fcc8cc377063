package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

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
	return nil, packer.DecodeConfig(&b.config, raws...)
}

func (b *testFileBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	if err := hook.Run(ctx, packer.HookProvision, ui, nil, map[string]any{"ID": "Null"}); err != nil {
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

func (s *testShell) Prepare(raws ...any) error { return packer.DecodeConfig(&s.config, raws...) }

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

func (s *testShell) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return s.run(ctx)
}

type testShellPostProcessor struct{ testShell }

func (s *testShellPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	return a, true, s.run(ctx)
}

type testArtifact struct {
	id        string
	files     []string
	mu        sync.Mutex
	destroyed int
}

func (a *testArtifact) BuilderId() string { return "test" }

func (a *testArtifact) Files() []string { return a.files }

func (a *testArtifact) Id() string { return a.id }

func (a *testArtifact) String() string { return a.id }

func (a *testArtifact) State(name string) any { return nil }

func (a *testArtifact) Destroy() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.destroyed++
	return nil
}

func shellComponents(dir string) ComponentFinder {
	return ComponentFinder{
		Builder: func(typ string) (packer.Builder, error) {
			if typ != "file" && typ != "null" {
				return nil, fmt.Errorf("no builder %q", typ)
			}
			return &testFileBuilder{dir: dir}, nil
		},
		Provisioner: func(typ string) (packer.Provisioner, error) {
			if typ != "shell-local" {
				return nil, fmt.Errorf("no provisioner %q", typ)
			}
			return &testShell{dir: dir}, nil
		},
		PostProcessor: func(typ string) (packer.PostProcessor, error) {
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

type ppFunc func(a packer.Artifact) (packer.Artifact, bool)

func (f ppFunc) Prepare(raws ...any) error { return nil }

func (f ppFunc) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	r, keep := f(a)
	return r, keep, nil
}

// fixedBuilder returns the same artifact every run.
type fixedBuilder struct{ artifact packer.Artifact }

func (f fixedBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }

func (f fixedBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return f.artifact, nil
}

// discardUi shows nothing; these tests look at what builds leave on disk.
type discardUi struct{}

func (discardUi) Ask(string) (string, error) { return "", packer.ErrNoTerminal }

func (discardUi) Say(string) {}

func (discardUi) Message(string) {}

func (discardUi) Error(string) {}

func (discardUi) Machine(string, ...string) {}

type ppStep struct {
	id     string // the artifact it makes; "" makes none
	keep   bool
	passOn bool // returns its input, as manifest does
	err    error
}

type ppErrFunc func(a packer.Artifact) (packer.Artifact, bool, error)

func (f ppErrFunc) Prepare(raws ...any) error { return nil }

func (f ppErrFunc) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	return f(a)
}

// nilDataBuilder runs the provision hook with nil data, as Packer's file
// builder does.
type nilDataBuilder struct{}

func (nilDataBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }

func (nilDataBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	if err := hook.Run(ctx, packer.HookProvision, ui, nil, nil); err != nil {
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
		return "", packer.ErrNoTerminal
	}
	return u.ask(q)
}

func (u *recordingUi) said() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.lines, "\n")
}
