package qemu

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/packer-classic/packer/internal/testdeps"
)

func TestBootSector_isASignedMasterBootRecord(t *testing.T) {
	s := bootSector()
	if len(s) != 512 || s[510] != 0x55 || s[511] != 0xaa {
		t.Fatalf("want 512 bytes ending in 55 aa, got %d bytes ending in % x", len(s), s[len(s)-2:])
	}
}

// The probe's guest really writes its byte: under tcg, which runs anywhere
// qemu does, the probe must succeed.
func TestProbe_theTestGuestAnswersUnderTCG(t *testing.T) {
	qemu := testdeps.Need(t, "qemu-system-x86_64")[0]
	took, err := probe(context.Background(), qemu, "pc", "tcg", "max")
	if err != nil {
		t.Fatalf("the test guest did not write its byte under tcg: %v", err)
	}
	t.Logf("tcg ran the test guest in %s", took)
}

func TestProbe_aQemuThatFailsSaysWhy(t *testing.T) {
	qemu := testdeps.Need(t, "qemu-system-x86_64")[0]
	_, err := probe(context.Background(), qemu, "no-such-machine", "tcg", "max")
	if err == nil || !strings.Contains(err.Error(), "machine type") {
		t.Fatalf("want qemu's own words about the machine type, got %v", err)
	}
}

func TestChooseAcceleration_aNamedAcceleratorIsUsedAsItIs(t *testing.T) {
	for accel, want := range map[string]acceleration{
		"kvm":  {accel: "kvm", cpuModel: "host"},
		"tcg":  {accel: "tcg", cpuModel: "max"},
		"none": {accel: "", cpuModel: ""},
	} {
		got := chooseAcceleration(context.Background(), &Config{Accelerator: accel})
		if got.accel != want.accel || got.cpuModel != want.cpuModel {
			t.Errorf("%s: got %+v, want %+v", accel, got, want)
		}
	}
	if got := chooseAcceleration(context.Background(), &Config{Accelerator: "tcg", CPUModel: "qemu64"}); got.cpuModel != "qemu64" {
		t.Errorf("cpu_model is kept: got %q", got.cpuModel)
	}
}

// Whatever kvm does here (answers, fails, or hangs, as it does where nested
// virtualisation lacks support), the probe ends and leaves no qemu behind.
func TestProbeKVM_endsAndLeavesNoQemu(t *testing.T) {
	qemu := testdeps.Need(t, "qemu-system-x86_64")[0]
	if _, err := os.Stat("/dev/kvm"); err != nil {
		t.Skipf("no /dev/kvm: %v", err)
	}
	took, err := probeKVM(context.Background(), qemu, "pc", "host", "max")
	t.Logf("kvm probe: %s, %v", took, err)
	if err != nil && !strings.Contains(err.Error(), "did not answer") && !strings.Contains(err.Error(), "qemu") {
		t.Errorf("the probe's error should say what kvm did: %v", err)
	}
	if procs := qemuOf("packer-qemu-probe-"); len(procs) > 0 {
		t.Errorf("probe qemu still runs: %v", procs)
	}
}
