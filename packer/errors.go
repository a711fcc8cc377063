package packer

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoTerminal is returned by Ui.Ask when there is no person at a terminal
// to answer, as when Packer runs in CI or with its input redirected.
// Components that can do without an answer (the breakpoint provisioner)
// test for it with errors.Is and carry on; it keeps its identity across
// process boundaries.
var ErrNoTerminal = errors.New("no terminal to ask the user on: standard input is not a terminal")

// Cancelled returns err as a component reports it when ctx may have been
// cancelled: when ctx is done and err does not already wrap its error, the
// result wraps both, so the core (errors.Is(err, context.Canceled)) tells a
// cancelled run from a failed one, as the interfaces ask. A command killed
// by the cancel fails with its exit status, not with ctx.Err(); this is how
// a provisioner says why.
func Cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", ctx.Err(), err)
}
