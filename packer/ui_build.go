package packer

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
)

// BuildUi shows one build's output, each line prefixed with the build's
// name, as Packer does: "==> name: " for Say and Error, "    name: " for
// Message. With Color set, the prefix takes the build's own colour and
// errors are red. Plugin output is escaped so that it cannot drive the
// terminal. Builds running in parallel share one lock so their lines never
// interleave.
type BuildUi struct {
	Name     string
	Out, Err io.Writer
	Color    bool
	Index    int         // picks the build's colour
	Lock     *sync.Mutex // shared by every build's Ui; nil for none
	// MachineOut, when set, receives Machine records with the build as target.
	MachineOut func(target, kind string, args ...string)
}

var buildColors = []string{"\033[1;32m", "\033[1;36m", "\033[1;35m", "\033[1;33m", "\033[1;34m"}

const (
	colorReset = "\033[0m"
	colorRed   = "\033[1;31m"
)

func (u *BuildUi) lock() func() {
	if u.Lock == nil {
		return func() {}
	}
	u.Lock.Lock()
	return u.Lock.Unlock
}

func (u *BuildUi) write(w io.Writer, prefix, color, message string) {
	defer u.lock()()
	for _, line := range strings.Split(strings.TrimRight(EscapeControl(message), "\n"), "\n") {
		if u.Color {
			fmt.Fprintf(w, "%s%s%s:%s %s\n", color, prefix, u.Name, colorReset, line)
		} else {
			fmt.Fprintf(w, "%s%s: %s\n", prefix, u.Name, line)
		}
	}
}

func (u *BuildUi) color() string { return buildColors[u.Index%len(buildColors)] }

// Ask cannot be answered while builds run in parallel; there is no terminal
// to ask on.
func (u *BuildUi) Ask(query string) (string, error) {
	u.Say(query)
	return "", ErrNoTerminal
}

// Say shows a step of the build.
func (u *BuildUi) Say(message string) { u.write(u.Out, "==> ", u.color(), message) }

// Message shows detail under a step.
func (u *BuildUi) Message(message string) { u.write(u.Out, "    ", u.color(), message) }

// Error shows an error of the build.
func (u *BuildUi) Error(message string) {
	w := u.Err
	if w == nil {
		w = u.Out
	}
	color := u.color()
	if u.Color {
		color = colorRed
	}
	u.write(w, "==> ", color, message)
}

// Machine passes a machine-readable record on, with the build as target.
func (u *BuildUi) Machine(kind string, args ...string) {
	if u.MachineOut != nil {
		u.MachineOut(u.Name, kind, args...)
	}
}

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

// MaskingUi hides sensitive values (the template's sensitive-variables) in
// everything shown through it, replacing each with <sensitive>.
type MaskingUi struct {
	Ui
	Secrets []string
}

func (u *MaskingUi) mask(s string) string {
	for _, secret := range u.Secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<sensitive>")
		}
	}
	return s
}

// Ask asks with the query masked.
func (u *MaskingUi) Ask(query string) (string, error) { return u.Ui.Ask(u.mask(query)) }

// Say shows message masked.
func (u *MaskingUi) Say(message string) { u.Ui.Say(u.mask(message)) }

// Message shows message masked.
func (u *MaskingUi) Message(message string) { u.Ui.Message(u.mask(message)) }

// Error shows message masked.
func (u *MaskingUi) Error(message string) { u.Ui.Error(u.mask(message)) }

// Machine passes the record on with every argument masked.
func (u *MaskingUi) Machine(kind string, args ...string) {
	masked := make([]string, len(args))
	for i, a := range args {
		masked[i] = u.mask(a)
	}
	u.Ui.Machine(kind, masked...)
}

// MachineReadableLine formats one -machine-readable record as Packer does:
// timestamp,target,type,data... with commas in data written as
// %!(PACKER_COMMA) and newlines as the two characters \n.
func MachineReadableLine(now time.Time, target, kind string, args ...string) string {
	fields := []string{fmt.Sprint(now.Unix()), target, kind}
	for _, a := range args {
		a = strings.ReplaceAll(a, ",", "%!(PACKER_COMMA)")
		a = strings.ReplaceAll(a, "\r", "\\r")
		a = strings.ReplaceAll(a, "\n", "\\n")
		fields = append(fields, a)
	}
	return strings.Join(fields, ",")
}
