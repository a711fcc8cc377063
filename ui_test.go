package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/packer-classic/packer/command"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func TestMachineRecord_escapesCommasAndNewlines(t *testing.T) {
	line := command.MachineRecord("web", "ui", "say", "a,b\nc")
	fields := strings.Split(line, ",")
	if len(fields) != 5 {
		t.Fatalf("want 5 fields (timestamp,target,type,kind,data), got %d: %q", len(fields), line)
	}
	if fields[1] != "web" || fields[2] != "ui" || fields[3] != "say" {
		t.Errorf("fields = %q", fields)
	}
	if fields[4] != `a%!(PACKER_COMMA)b\nc` {
		t.Errorf("data = %q, want commas and newlines escaped", fields[4])
	}
}

func TestStreamUi_plainSplitsStdoutAndStderrAndDropsMachine(t *testing.T) {
	var out, errOut bytes.Buffer
	ui := newStreamUi(&out, &errOut, false)
	ui.Say("said")
	ui.Message("messaged")
	ui.Error("failed")
	ui.Machine("version", "1.0")
	if out.String() != "said\nmessaged\n" || errOut.String() != "failed\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	if _, err := ui.Ask("name?"); !errors.Is(err, packer.ErrNoTerminal) {
		t.Errorf("Ask: err = %v, want ErrNoTerminal", err)
	}
}

func TestStreamUi_machineReadablePutsEverythingOnStdout(t *testing.T) {
	var out, errOut bytes.Buffer
	ui := newStreamUi(&out, &errOut, true)
	ui.Error("bad")
	ui.Machine("version", "1.0")
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q, want nothing in machine-readable mode", errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ",,ui,error,bad") || !strings.HasSuffix(lines[1], ",,version,1.0") {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestMachineReadable_stopsAtDoubleDash(t *testing.T) {
	if !machineReadable([]string{"build", "-machine-readable", "t.json"}) {
		t.Error("want true for -machine-readable")
	}
	if machineReadable([]string{"hello", "--", "-machine-readable"}) {
		t.Error("want false after --")
	}
}

func TestStreamUi_passesTheUiKit(t *testing.T) {
	for name, machine := range map[string]bool{"plain": false, "machine-readable": true} {
		t.Run(name, func(t *testing.T) {
			packertest.TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
				var out bytes.Buffer
				ui := newStreamUi(&out, &out, machine)
				// The Ui serialises its writes; reads happen once calls return.
				return ui, func() string { ui.mu.Lock(); defer ui.mu.Unlock(); return out.String() }
			})
		})
	}
}
