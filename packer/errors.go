package packer

import "errors"

// ErrNoTerminal is returned by Ui.Ask when there is no person at a terminal
// to answer, as when Packer runs in CI or with its input redirected.
// Components that can do without an answer (the breakpoint provisioner)
// test for it with errors.Is and carry on; it keeps its identity across
// process boundaries.
var ErrNoTerminal = errors.New("no terminal to ask the user on: standard input is not a terminal")
