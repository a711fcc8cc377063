package packer

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
)

func showAll(writes ...string) []string {
	var shown []string
	w := NewLineWriter(func(s string) { shown = append(shown, s) })
	for _, s := range writes {
		w.Write([]byte(s))
	}
	w.Close()
	return shown
}

func TestLineWriter_showsEachLineAsItCompletesAcrossWrites(t *testing.T) {
	got := showAll("one\ntw", "o\r\n\nthr", "ee")
	want := []string{"one", "two", "", "three"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shown %q, want %q", got, want)
	}
}

func TestLineWriter_aCarriageReturnRedrawsTheLineAsATerminalDoes(t *testing.T) {
	got := showAll("10%\r20%", "\r", "30%\ndone\r", "\n")
	if strings.Join(got, "|") != "30%|done" {
		t.Errorf("shown %q, want [30%% done]", got)
	}
}

func TestLineWriter_anOverLongLineIsShownInPiecesAndTheLinesAfterItToo(t *testing.T) {
	long := strings.Repeat("z", 2_000_000)
	got := showAll(long+"\nafter\n", "last\n")
	var rebuilt strings.Builder
	for _, piece := range got[:len(got)-2] {
		if len(piece) > MaxLinePiece {
			t.Fatalf("a piece of %d bytes, over MaxLinePiece", len(piece))
		}
		rebuilt.WriteString(piece)
	}
	if rebuilt.String() != long {
		t.Errorf("the pieces hold %d bytes of the %d-byte line", rebuilt.Len(), len(long))
	}
	if got[len(got)-2] != "after" || got[len(got)-1] != "last" {
		t.Errorf("the lines after the long one: %q", got[len(got)-2:])
	}
}

func TestLineWriter_piecesNeverSplitACharacter(t *testing.T) {
	long := strings.Repeat("é", MaxLinePiece) // two bytes each
	for _, piece := range showAll(long) {
		if !strings.HasPrefix(piece, "é") || !strings.HasSuffix(piece, "é") {
			t.Fatalf("a piece starts or ends inside a character: %q...", piece[:4])
		}
	}
}

func TestSyncSharedWriters_sharesOneLockOnlyWhenBothAreTheSameWriter(t *testing.T) {
	var a, b bytes.Buffer
	x, y := SyncSharedWriters(&a, &b)
	if x != &a || y != &b {
		t.Error("different writers should be returned as they are")
	}
	x, y = SyncSharedWriters(&a, &a)
	if x != y || x == &a {
		t.Error("one writer for both streams should come back as one locked writer")
	}
	if x, y := SyncSharedWriters(nil, &a); x != nil || y != &a {
		t.Error("nil should stay nil")
	}
}

func TestRemoteCmd_RunWithUiWithOneWriterForBothStreamsLosesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	var both bytes.Buffer
	cmd := &RemoteCmd{
		Command: "i=0; while [ $i -lt 300 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done",
		Stdout:  &both, Stderr: &both,
	}
	if _, err := cmd.RunWithUi(context.Background(), shellCommunicator{}, &linesUi{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(both.String()), "\n")
	if len(lines) != 600 {
		t.Errorf("the shared writer got %d lines, want 600", len(lines))
	}
}

func TestRemoteCmd_RunWithUiShowsAndCopiesA2MBLineAndEveryLineAfterIt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	var out bytes.Buffer
	ui := &linesUi{}
	cmd := &RemoteCmd{Command: "head -c 2000000 /dev/zero | tr '\\000' z; echo; echo after; echo end", Stdout: &out}
	if _, err := cmd.RunWithUi(context.Background(), shellCommunicator{}, ui); err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("z", 2000000) + "\nafter\nend\n"; out.String() != want {
		t.Errorf("Stdout got %d bytes, want %d", out.Len(), len(want))
	}
	n := len(ui.messages)
	if n < 3 || ui.messages[n-2] != "after" || ui.messages[n-1] != "end" {
		t.Errorf("the Ui did not show the lines after the long one: last %q", ui.messages[max(n-2, 0):])
	}
}
