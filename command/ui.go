package command

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/packer-classic/packer/packer"
)

// buildColour is the colour of the build at index: green, cyan, magenta,
// yellow, blue, then round again, so builds side by side differ.
func buildColour(index int) string {
	colours := [...]string{"\033[32m", "\033[36m", "\033[35m", "\033[33m", "\033[34m"}
	return colours[index%len(colours)]
}

const (
	colourBold  = "\033[1m"
	colourRed   = "\033[31m"
	colourReset = "\033[0m"
)

// sharedOutput serialises the writes of every build's Ui, so lines from
// builds running in parallel never interleave mid-line.
type sharedOutput struct {
	mu             sync.Mutex
	stdout, stderr io.Writer

	// stdin answers Ask (a -debug pause, a breakpoint); nil when there is
	// no terminal to ask on. askMu keeps one question at a time.
	askMu sync.Mutex
	stdin *bufio.Reader
}

func (o *sharedOutput) write(w io.Writer, s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	io.WriteString(w, s)
}

// buildUi is one build's Ui, as Packer prints it: "==> NAME: " before what
// a component says, "    NAME: " before its detail lines, errors on stderr,
// each build in its own colour when colour is on. In machine-readable mode
// every call is one timestamp,NAME,type,data record on stdout instead.
type buildUi struct {
	out     *sharedOutput
	name    string
	colour  string // "" for none
	machine bool
}

func newBuildUi(out *sharedOutput, name string, index int, colour, machine bool) *buildUi {
	u := &buildUi{out: out, name: name, machine: machine}
	if colour && !machine {
		u.colour = buildColour(index)
	}
	return u
}

// Ask shows the query with the build's prefix and reads one line of
// standard input: how -debug and breakpoints wait for the user. Without a
// terminal it returns packer.ErrNoTerminal at once rather than hang.
func (u *buildUi) Ask(query string) (string, error) {
	if u.out.stdin == nil || u.machine {
		return "", packer.ErrNoTerminal
	}
	u.out.askMu.Lock()
	defer u.out.askMu.Unlock()
	u.out.write(u.out.stdout, "==> "+u.name+": "+query+" ")
	line, err := u.out.stdin.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading the answer to %q from standard input: %w", query, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// Say shows a step: "==> NAME: message".
func (u *buildUi) Say(m string) { u.lines(u.out.stdout, "say", "==> ", m, colourBold) }

// Message shows detail under a step: "    NAME: message".
func (u *buildUi) Message(m string) { u.lines(u.out.stdout, "message", "    ", m, "") }

// Error shows a problem on stderr, in red on a terminal.
func (u *buildUi) Error(m string) { u.lines(u.out.stderr, "error", "==> ", m, colourRed) }

// Machine writes a record in machine-readable mode and nothing otherwise.
func (u *buildUi) Machine(kind string, args ...string) {
	if u.machine {
		u.out.write(u.out.stdout, MachineRecord(u.name, kind, args...)+"\n")
	}
}

func (u *buildUi) lines(w io.Writer, kind, lead, m, emphasis string) {
	if u.machine {
		u.out.write(u.out.stdout, MachineRecord(u.name, "ui", kind, m)+"\n")
		return
	}
	var b strings.Builder
	// Control characters from plugins are escaped, so they cannot drive
	// the terminal or forge packer's own lines.
	for _, line := range strings.Split(strings.TrimRight(packer.EscapeControl(m), "\n"), "\n") {
		text := lead + u.name + ": " + line
		if u.colour != "" {
			colour := u.colour
			if emphasis == colourRed {
				colour = colourRed
			}
			text = colour + emphasisIf(emphasis == colourBold) + text + colourReset
		}
		b.WriteString(text + "\n")
	}
	u.out.write(w, b.String())
}

func emphasisIf(on bool) string {
	if on {
		return colourBold
	}
	return ""
}

// MachineRecord formats one -machine-readable record as Packer does:
// timestamp,target,type,data...; commas in a field become %!(PACKER_COMMA),
// newlines the two characters \n, so a reader can split on commas and lines,
// and other control characters are escaped as the Ui escapes them (\x1b),
// so a record shown on a terminal cannot drive it.
func MachineRecord(target, kind string, args ...string) string {
	fields := []string{fmt.Sprint(time.Now().Unix()), escapeMachine(target), kind}
	for _, a := range args {
		fields = append(fields, escapeMachine(a))
	}
	return strings.Join(fields, ",")
}

func escapeMachine(s string) string {
	s = strings.ReplaceAll(s, ",", "%!(PACKER_COMMA)")
	s = strings.ReplaceAll(s, "\r", "\\r")
	s = strings.ReplaceAll(s, "\n", "\\n")
	return packer.EscapeControl(s)
}
