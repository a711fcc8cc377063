package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

func TestSet_describePrintsVersionProtocolAndComponents(t *testing.T) {
	cmd := helperCmd("set")
	cmd.Args = append(cmd.Args, "describe")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDescription(out, "packer-plugin-test")
	if err != nil {
		t.Fatal(err)
	}
	if d.ShareProcess {
		t.Error("a set shares its process without asking to; isolation is the default")
	}
	if d.Version != "1.2.3" || d.ProtocolVersion != ProtocolVersion ||
		strings.Join(d.Builders, ",") != DefaultName || strings.Join(d.Provisioners, ",") != "greet" || strings.Join(d.PostProcessors, ",") != "sizes" {
		t.Errorf("description = %+v", d)
	}
}

func TestSet_oneProcessServesManyInstancesEachOnItsOwn(t *testing.T) {
	c, _ := startHelper(t, "set", ClientConfig{Name: "packer-plugin-test"})
	var builders []packer.Builder
	for range 3 {
		b, err := c.Dispense(packer.KindBuilder, DefaultName)
		if err != nil {
			t.Fatal(err)
		}
		builders = append(builders, b.(packer.Builder))
	}
	for i, b := range builders {
		a, err := b.Run(context.Background(), newAnsweringUi("plain"), nil)
		if err != nil || a.Id() != "plain" {
			t.Fatalf("builder %d: %v, %v", i, a, err)
		}
	}
	if _, err := c.Dispense(packer.KindPostProcessor, "sizes"); err != nil {
		t.Errorf("post-processor: %v", err)
	}
	_, err := c.Dispense(packer.KindProvisioner, "nope")
	if err == nil || !strings.Contains(err.Error(), `no provisioner named "nope" (it has [greet])`) {
		t.Errorf("missing component: %v", err)
	}
}

func TestReadDescription_refusesAnotherProtocol(t *testing.T) {
	_, err := ReadDescription([]byte(`{"version": "1.0.0", "protocol_version": 7}`), "packer-plugin-old")
	if err == nil || !strings.Contains(err.Error(), "packer-plugin-old speaks plugin protocol 7") {
		t.Errorf("ReadDescription = %v", err)
	}
	if _, err := ReadDescription([]byte("Usage: ..."), "packer-plugin-odd"); err == nil || !strings.Contains(err.Error(), "not a plugin description") {
		t.Errorf("ReadDescription of garbage = %v", err)
	}
}
