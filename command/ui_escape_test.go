package command

import (
	"strings"
	"testing"
)

func TestMachineRecord_escapesControlCharactersInEveryField(t *testing.T) {
	record := MachineRecord("we\x1b[2Jb", "ui", "say", "a\x1b]0;title\x07b\r\nc,d\x00")
	_, fields, _ := strings.Cut(record, ",")
	want := `we\x1b[2Jb,ui,say,a\x1b]0;title\x07b\r\nc%!(PACKER_COMMA)d\x00`
	if fields != want {
		t.Errorf("record = %q, want %q after the timestamp", fields, want)
	}
}
