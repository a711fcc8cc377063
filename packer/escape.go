package packer

import (
	"fmt"
	"strings"
	"unicode"
)

// EscapeControl makes control characters in s visible (\x1b and the like),
// keeping newlines and tabs, so output from a plugin or a remote command
// cannot move the cursor, clear the screen or retitle the terminal.
func EscapeControl(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r':
			// a carriage return ends a progress line; drop it
		case unicode.IsControl(r) && r != '\n' && r != '\t':
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
