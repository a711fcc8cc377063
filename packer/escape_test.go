package packer

import (
	"testing"
)

func TestEscapeControl_keepsTextAndShowsControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\twith tab\nand newline": "plain text\twith tab\nand newline",
		"bad \x1b[2Jthing":                  "bad \\x1b[2Jthing",
		"progress 50%\rprogress 100%":       "progress 50%progress 100%",
		"bell\a":                            "bell\\x07",
	} {
		if got := EscapeControl(in); got != want {
			t.Errorf("EscapeControl(%q) = %q, want %q", in, got, want)
		}
	}
}
