package main

import (
	"fmt"
	"github.com/packer-classic/packer/command"
	"github.com/packer-classic/packer/packer"
	"io"
	"sync"
)

// streamUi is the top-level Ui: messages to stdout, errors to stderr, or in
// -machine-readable mode every line as Packer's timestamp,target,type,data
// record on stdout. It has no terminal to ask on.
type streamUi struct {
	mu      sync.Mutex
	stdout  io.Writer
	stderr  io.Writer
	machine bool
}

func newStreamUi(stdout, stderr io.Writer, machine bool) *streamUi {
	return &streamUi{stdout: stdout, stderr: stderr, machine: machine}
}

func (u *streamUi) Ask(string) (string, error) {
	return "", packer.ErrNoTerminal
}

func (u *streamUi) Say(m string)     { u.write(u.stdout, "say", m) }
func (u *streamUi) Message(m string) { u.write(u.stdout, "message", m) }
func (u *streamUi) Error(m string)   { u.write(u.stderr, "error", m) }

func (u *streamUi) Machine(kind string, args ...string) {
	if !u.machine {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	fmt.Fprintln(u.stdout, command.MachineRecord("", kind, args...))
}

func (u *streamUi) write(w io.Writer, kind, m string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.machine {
		fmt.Fprintln(u.stdout, command.MachineRecord("", "ui", kind, m))
		return
	}
	// As a build's Ui does: a command plugin's messages come through here.
	fmt.Fprintln(w, packer.EscapeControl(m))
}
