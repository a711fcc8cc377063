package packertest

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// Ui is a packer.Ui that records every line it is shown, safe for use from
// several goroutines. Ask answers with Answer, or returns
// packer.ErrNoTerminal when Answer is empty, as a Ui without a terminal
// does.
type Ui struct {
	Answer string

	mu    sync.Mutex
	lines []string
}

var _ packer.Ui = (*Ui)(nil)

func (u *Ui) add(line string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lines = append(u.lines, line)
}

// Ask records the query and answers it.
func (u *Ui) Ask(query string) (string, error) {
	u.add("ask: " + query)
	if u.Answer == "" {
		return "", packer.ErrNoTerminal
	}
	return u.Answer, nil
}

// Say records "say: message".
func (u *Ui) Say(message string) { u.add("say: " + message) }

// Message records the message as it is.
func (u *Ui) Message(message string) { u.add(message) }

// Error records "error: message".
func (u *Ui) Error(message string) { u.add("error: " + message) }

// Machine records "machine: kind [args]".
func (u *Ui) Machine(kind string, args ...string) { u.add(fmt.Sprintf("machine: %s %v", kind, args)) }

// Lines returns what was recorded, in order.
func (u *Ui) Lines() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.lines)
}

// Has reports whether line was recorded.
func (u *Ui) Has(line string) bool {
	return slices.Contains(u.Lines(), line)
}

// Shown returns every recorded line, one per line: the shown function
// TestUi takes.
func (u *Ui) Shown() string { return strings.Join(u.Lines(), "\n") }
