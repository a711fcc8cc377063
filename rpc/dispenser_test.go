package rpc

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// namedBuilders dispenses a fresh builder per request, counting them.
type namedBuilders struct{ made int }

func (d *namedBuilders) Dispense(kind packer.Kind, name string) (any, error) {
	if kind != packer.KindBuilder || name != "counter" {
		return nil, fmt.Errorf("no %s named %q here", kind, name)
	}
	d.made++
	n := d.made
	return &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		return &fileArtifact{id: fmt.Sprint("instance ", n)}, nil
	}}, nil
}

func TestDispense_eachRequestGetsItsOwnInstance(t *testing.T) {
	client := connect(t, &namedBuilders{}, nil, nil)
	for want := 1; want <= 2; want++ {
		component, err := client.Dispense(packer.KindBuilder, "counter")
		if err != nil {
			t.Fatal(err)
		}
		artifact, err := component.(packer.Builder).Run(context.Background(), &recordingUi{}, funcHook(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := artifact.Id(); got != fmt.Sprint("instance ", want) {
			t.Errorf("dispensed builder %d made artifact %q", want, got)
		}
	}
}

func TestDispense_manyRequestsShareOneStream(t *testing.T) {
	client := connect(t, &namedBuilders{}, nil, nil)
	for range 20 {
		if _, err := client.Dispense(packer.KindBuilder, "counter"); err != nil {
			t.Fatal(err)
		}
	}
	// The control stream only: a dispensed component's stream opens with
	// its first call.
	if n := client.s.mux.NumStreams(); n != 1 {
		t.Errorf("20 dispenses left %d streams open; want the one control stream", n)
	}
}

func TestDispense_unknownNameOrKindIsAClearError(t *testing.T) {
	client := connect(t, &namedBuilders{}, nil, nil)
	if _, err := client.Dispense(packer.KindProvisioner, "counter"); err == nil || !strings.Contains(err.Error(), `no provisioner named "counter"`) {
		t.Errorf("Dispense of a missing component = %v", err)
	}
	if _, err := client.Dispense("gizmo", "x"); err == nil || !strings.Contains(err.Error(), `no component kind "gizmo"`) {
		t.Errorf("Dispense of an unknown kind = %v", err)
	}
}

func TestDispense_fromASingleComponentPluginSaysWhy(t *testing.T) {
	client := connect(t, &funcBuilder{}, nil, nil)
	_, err := client.Dispense(packer.KindBuilder, "x")
	if err == nil || !strings.Contains(err.Error(), "serves a single component") {
		t.Errorf("Dispense = %v", err)
	}
}
