package packertest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// BuilderHarness says how TestBuilder makes and configures the builder under
// test.
type BuilderHarness struct {
	// New returns a fresh builder; it is called once per rule.
	New func(t *testing.T) packer.Builder
	// Config returns a valid configuration for it, as a template would give
	// it (fresh output paths under t.TempDir(), say).
	Config func(t *testing.T) map[string]any
	// CommunicatorDir, when set, is an empty directory on the machine the
	// builder's communicator reaches: TestBuilder then runs
	// TestCommunicator on the communicator the provision hook is given.
	CommunicatorDir string
}

// TestBuilder checks a Builder against the contract written on
// packer.Builder: Prepare takes the core's keys, values that crossed as
// JSON, and the configuration given twice, and refuses an unknown key by
// name; Run succeeds, hands the provision hook data that can cross as JSON
// (and a communicator that passes TestCommunicator, with CommunicatorDir),
// and returns an artifact whose facts are set and whose files exist until
// Destroy removes them; a failing provision hook fails the Run; a cancelled
// context, before Run or from inside the hook, makes Run return an error
// wrapping context.Canceled and no artifact.
func TestBuilder(t *testing.T, h BuilderHarness) {
	checkPrepare(t, h.Config, func(t *testing.T, raws ...any) error {
		_, err := h.New(t).Prepare(raws...)
		return err
	})
	prepared := func(t *testing.T) packer.Builder {
		b := h.New(t)
		if _, err := b.Prepare(h.Config(t), CoreKeys("kit", "kit")); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		return b
	}
	t.Run("Run", func(t *testing.T) {
		b := prepared(t)
		hook := hookFunc(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
			if name != packer.HookProvision {
				return nil
			}
			if _, err := json.Marshal(data); err != nil {
				t.Errorf("the provision hook's data cannot cross to a plugin (it must be JSON): %v", err)
			}
			if comm != nil && h.CommunicatorDir != "" {
				TestCommunicator(t, func(*testing.T) (packer.Communicator, string) { return comm, h.CommunicatorDir })
			}
			return nil
		})
		var artifact packer.Artifact
		var err error
		within(t, "Run", func() { artifact, err = b.Run(context.Background(), new(Ui), hook) })
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if artifact != nil {
			checkArtifact(t, "the builder", artifact)
		}
	})
	t.Run("AFailingProvisionHookFailsTheRun", func(t *testing.T) {
		b := prepared(t)
		called := false
		hook := hookFunc(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
			called = true
			return errors.New("packertest: the provision hook failed")
		})
		var artifact packer.Artifact
		var err error
		within(t, "Run", func() { artifact, err = b.Run(context.Background(), new(Ui), hook) })
		if !called {
			t.Skip("the builder did not run the provision hook")
		}
		if err == nil || !strings.Contains(err.Error(), "packertest: the provision hook failed") {
			t.Errorf("Run = %v, want the provision hook's error: a failed provisioning fails the build", err)
		}
		if artifact != nil {
			t.Errorf("a failed Run returned an artifact (%s)", artifact.String())
		}
	})
	t.Run("AlreadyCancelled", func(t *testing.T) {
		b := prepared(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var artifact packer.Artifact
		var err error
		within(t, "Run with a cancelled context", func() { artifact, err = b.Run(ctx, new(Ui), hookFunc(passHook)) })
		wantCancelled(t, "Run", err)
		if artifact != nil {
			t.Errorf("a cancelled Run returned an artifact (%s): it cleans up what it made", artifact.String())
		}
	})
	t.Run("CancelledWhileProvisioning", func(t *testing.T) {
		b := prepared(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		called := false
		hook := hookFunc(func(context.Context, string, packer.Ui, packer.Communicator, any) error {
			called = true
			cancel() // Ctrl-C while the provisioners run: they fail with it
			return context.Canceled
		})
		var artifact packer.Artifact
		var err error
		within(t, "Run cancelled in the provision hook", func() { artifact, err = b.Run(ctx, new(Ui), hook) })
		if !called {
			t.Skip("the builder did not run the provision hook")
		}
		wantCancelled(t, "Run", err)
		if artifact != nil {
			t.Errorf("a cancelled Run returned an artifact (%s): it cleans up what it made", artifact.String())
		}
	})
}

func passHook(context.Context, string, packer.Ui, packer.Communicator, any) error { return nil }
