package packertest

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

// unknownKey is the key the kits add to a configuration to see it refused.
const unknownKey = "packertest_no_such_key"

// runBound bounds one Run, Provision or PostProcess of a kit: a component
// that never returns fails its rule instead of hanging the test.
const runBound = 5 * time.Minute

// CoreKeys is what the core passes every component's Prepare after its own
// configuration (see packer.Builder.Prepare), as the kits pass it.
func CoreKeys(buildName, builderType string) map[string]any {
	return map[string]any{
		packer.BuildNameConfigKey:     buildName,
		packer.BuilderTypeConfigKey:   builderType,
		packer.DebugConfigKey:         false,
		packer.ForceConfigKey:         false,
		packer.OnErrorConfigKey:       "cleanup",
		packer.UserVariablesConfigKey: map[string]any{},
	}
}

// checkPrepare checks the rules every component's Prepare keeps. prepare
// makes a fresh component and prepares it with raws.
func checkPrepare(t *testing.T, config func(t *testing.T) map[string]any, prepare func(t *testing.T, raws ...any) error) {
	keys := CoreKeys("kit", "kit")
	t.Run("PrepareWithTheCoresKeys", func(t *testing.T) {
		if err := prepare(t, config(t), keys); err != nil {
			t.Errorf("Prepare of a valid configuration and the core's packer_* keys: %v", err)
		}
	})
	t.Run("PrepareAfterAJSONRoundTrip", func(t *testing.T) {
		// Values cross processes as JSON: numbers arrive as float64.
		data, err := json.Marshal([]any{config(t), keys})
		if err != nil {
			t.Fatalf("the configuration cannot be sent to a plugin (it must be JSON): %v", err)
		}
		var raws []any
		json.Unmarshal(data, &raws)
		if err := prepare(t, raws...); err != nil {
			t.Errorf("Prepare of the configuration as it arrives from the core, through JSON: %v", err)
		}
	})
	t.Run("PrepareRefusesAnUnknownKey", func(t *testing.T) {
		c := maps.Clone(config(t))
		c[unknownKey] = true
		err := prepare(t, c, keys)
		if err == nil {
			t.Errorf("Prepare accepted the unknown key %q: every problem with the configuration is an error", unknownKey)
		} else if !strings.Contains(err.Error(), unknownKey) {
			t.Errorf("Prepare's error %q does not name the unknown key %q", err, unknownKey)
		}
	})
	t.Run("PrepareTwice", func(t *testing.T) {
		// The core prepares again once the builder shared its data.
		if err := prepare(t, config(t), keys, config(t), keys); err != nil {
			t.Errorf("Prepare with the configuration given twice: %v", err)
		}
	})
}

// checkArtifact checks the facts of an artifact a component returned, then
// destroys it and checks its files are gone.
func checkArtifact(t *testing.T, who string, a packer.Artifact) {
	t.Helper()
	if a.BuilderId() == "" {
		t.Errorf("%s's artifact has an empty BuilderId: post-processors tell artifacts apart by it", who)
	}
	if a.String() == "" {
		t.Errorf("%s's artifact has an empty String: the summary shows it to the user", who)
	}
	files := a.Files()
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s's artifact lists %s, which does not exist: %v", who, f, err)
		}
	}
	if err := a.Destroy(); err != nil {
		t.Errorf("Destroy of %s's artifact: %v", who, err)
		return
	}
	for _, f := range files {
		if _, err := os.Lstat(f); err == nil {
			t.Errorf("%s's artifact still has %s after Destroy: Destroy deletes the artifact", who, f)
		}
	}
}

// wantCancelled checks the error of a run whose context was cancelled.
func wantCancelled(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s returned no error although its context was cancelled: a cancelled run returns ctx.Err() or an error wrapping it", what)
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("%s's error %q does not wrap context.Canceled: a cancelled run returns ctx.Err() or an error wrapping it, so the core can tell a cancel from a failure", what, err)
	}
}

// within runs fn and fails t if it does not return within runBound.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(runBound):
		t.Fatalf("%s did not return within %s", what, runBound)
	}
}

// hookFunc is a packer.Hook made of a function.
type hookFunc func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error

func (h hookFunc) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	return h(ctx, name, ui, comm, data)
}
