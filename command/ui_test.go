package command

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
)

func TestBuildUi_prefixesEachLineWithTheBuildName(t *testing.T) {
	var out, errOut bytes.Buffer
	ui := newBuildUi(&sharedOutput{stdout: &out, stderr: &errOut}, "web", 0, false, false)
	ui.Say("Creating VM")
	ui.Message("line one\nline two")
	ui.Error("it broke")
	ui.Machine("artifact-count", "1")
	wantOut := "==> web: Creating VM\n    web: line one\n    web: line two\n"
	if out.String() != wantOut {
		t.Errorf("stdout = %q, want %q", out.String(), wantOut)
	}
	if errOut.String() != "==> web: it broke\n" {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestBuildUi_colourOnlyWhenAsked(t *testing.T) {
	var out bytes.Buffer
	shared := &sharedOutput{stdout: &out, stderr: &out}
	newBuildUi(shared, "a", 0, true, false).Say("x")
	newBuildUi(shared, "b", 1, true, false).Say("x")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], buildColour(0)) || !strings.HasPrefix(lines[1], buildColour(1)) ||
		buildColour(0) == buildColour(1) || !strings.HasSuffix(lines[0], colourReset) {
		t.Errorf("want each build in its own colour, reset at line end: %q", lines)
	}
}

func TestBuildUi_machineReadableTargetsTheBuild(t *testing.T) {
	var out, errOut bytes.Buffer
	ui := newBuildUi(&sharedOutput{stdout: &out, stderr: &errOut}, "web", 0, true, true)
	ui.Error("bad, very")
	ui.Machine("artifact", "0", "id", "ami-1")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if errOut.Len() != 0 || len(lines) != 2 {
		t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
	}
	if !strings.HasSuffix(lines[0], ",web,ui,error,bad%!(PACKER_COMMA) very") || !strings.HasSuffix(lines[1], ",web,artifact,0,id,ami-1") {
		t.Errorf("records = %q", lines)
	}
	if strings.Contains(out.String(), "\033[") {
		t.Error("machine-readable output must never be coloured")
	}
}

func TestBuildUi_parallelWritesNeverInterleaveWithinALine(t *testing.T) {
	var out bytes.Buffer
	shared := &sharedOutput{stdout: &out, stderr: &out}
	var wg sync.WaitGroup
	for i, name := range []string{"alpha", "beta"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ui := newBuildUi(shared, name, i, false, false)
			for range 200 {
				ui.Message(strings.Repeat(name, 20))
			}
		}()
	}
	wg.Wait()
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if line != "    alpha: "+strings.Repeat("alpha", 20) && line != "    beta: "+strings.Repeat("beta", 20) {
			t.Fatalf("mixed line: %q", line)
		}
	}
}

func TestMaskingUi_hidesSensitiveValuesEverywhere(t *testing.T) {
	rec := &recordUi{}
	ui := newMaskingUi(rec, []string{"hunter2", ""})
	ui.Say("password is hunter2")
	ui.Message("hunter2hunter2")
	ui.Error("bad hunter2")
	ui.Machine("artifact", "id", "x-hunter2")
	if strings.Contains(rec.text(), "hunter2") {
		t.Errorf("a sensitive value got through:\n%s", rec.text())
	}
	if !strings.Contains(rec.text(), "say: password is <sensitive>") {
		t.Errorf("want <sensitive> in its place:\n%s", rec.text())
	}
	if newMaskingUi(rec, nil) != rec {
		t.Error("with nothing to mask the Ui should be returned as is")
	}
}

func TestBuildUi_askReadsALineOrSaysThereIsNoTerminal(t *testing.T) {
	var out bytes.Buffer
	shared := &sharedOutput{stdout: &out, stderr: &out, stdin: bufio.NewReader(strings.NewReader("yes\r\nsecond\n"))}
	ui := newBuildUi(shared, "web", 0, false, false)
	answer, err := ui.Ask("Continue?")
	if err != nil || answer != "yes" {
		t.Fatalf("Ask = %q, %v; want yes", answer, err)
	}
	if out.String() != "==> web: Continue? " {
		t.Errorf("prompt = %q", out.String())
	}
	if answer, _ := ui.Ask("Again?"); answer != "second" {
		t.Errorf("second answer = %q", answer)
	}
	if _, err := ui.Ask("Once more?"); err == nil {
		t.Error("want an error at the end of input")
	}
	noTerminal := newBuildUi(&sharedOutput{stdout: &out, stderr: &out}, "web", 0, false, false)
	if _, err := noTerminal.Ask("?"); !errors.Is(err, packer.ErrNoTerminal) {
		t.Errorf("without stdin: err = %v, want packer.ErrNoTerminal", err)
	}
}
