package packertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// brokenComponentEnv selects, in a re-executed test binary, which broken
// component runs under its kit.
const brokenComponentEnv = "PACKERTEST_BROKEN_COMPONENT"

// TestKits_reportEachBrokenRule runs each kit, in a child test process,
// against a component that breaks one rule, and checks that the kit fails
// naming it.
func TestKits_reportEachBrokenRule(t *testing.T) {
	for broken, want := range map[string]string{
		"builder-accepts-unknown-keys":     `Prepare accepted the unknown key "packertest_no_such_key"`,
		"builder-ignores-cancel":           "returned no error although its context was cancelled",
		"provisioner-cancel-unwrapped":     "does not wrap context.Canceled",
		"post-processor-lists-a-lost-file": "which does not exist",
		"ui-ask-without-sentinel":          "want an error wrapping packer.ErrNoTerminal",
		"ui-loses-lines":                   "was not shown once its call returned",
	} {
		t.Run(broken, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenComponentUnderItsKit$", "-test.v")
			cmd.Env = append(os.Environ(), brokenComponentEnv+"="+broken)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed a component that breaks %q:\n%s", want, out)
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("the kit failed without naming the broken rule %q:\n%s", want, out)
			}
		})
	}
}

func TestBrokenComponentUnderItsKit(t *testing.T) {
	broken := os.Getenv(brokenComponentEnv)
	config := func(*testing.T) map[string]any { return map[string]any{} }
	switch broken {
	case "":
		t.Skip("run by TestKits_reportEachBrokenRule")
	case "builder-accepts-unknown-keys", "builder-ignores-cancel":
		TestBuilder(t, BuilderHarness{New: func(*testing.T) packer.Builder { return &brokenBuilder{broken} }, Config: config})
	case "provisioner-cancel-unwrapped":
		TestProvisioner(t, ProvisionerHarness{New: func(*testing.T) packer.Provisioner { return brokenProvisioner{} }, Config: config})
	case "post-processor-lists-a-lost-file":
		TestPostProcessor(t, PostProcessorHarness{
			New:    func(*testing.T) packer.PostProcessor { return brokenPostProcessor{} },
			Config: config,
			Input:  func(t *testing.T) packer.Artifact { return NewFilesArtifact(t, "in.txt") },
		})
	case "ui-ask-without-sentinel", "ui-loses-lines":
		TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
			ui := &brokenUi{broken: broken}
			return ui, ui.Shown
		})
	}
}

type brokenBuilder struct{ broken string }

func (b *brokenBuilder) Prepare(raws ...any) ([]string, error) {
	if b.broken == "builder-accepts-unknown-keys" {
		return nil, nil
	}
	var c struct{}
	return nil, packer.DecodeConfig(&c, raws...)
}

func (b *brokenBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return nil, nil // never looks at ctx
}

type brokenProvisioner struct{}

func (brokenProvisioner) Prepare(raws ...any) error {
	var c struct{}
	return packer.DecodeConfig(&c, raws...)
}

func (brokenProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	if ctx.Err() != nil {
		return errors.New("the script exited 143") // the cancel, unsaid
	}
	return nil
}

type brokenPostProcessor struct{}

func (brokenPostProcessor) Prepare(raws ...any) error {
	var c struct{}
	return packer.DecodeConfig(&c, raws...)
}

func (brokenPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return &FilesArtifact{ID: "lost", Paths: []string{a.Files()[0] + ".gone"}}, false, nil
}

// brokenUi records what it is shown, but drops Error, and answers Ask with
// an error of its own.
type brokenUi struct {
	Ui
	broken string
}

func (u *brokenUi) Error(m string) {
	if u.broken != "ui-loses-lines" {
		u.Ui.Error(m)
	}
}

func (u *brokenUi) Ask(string) (string, error) {
	if u.broken == "ui-ask-without-sentinel" {
		return "", errors.New("no tty")
	}
	return "", packer.ErrNoTerminal
}
