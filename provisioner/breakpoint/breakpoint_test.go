package breakpoint

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// askingUi answers Ask from a channel, or with ErrNoTerminal when it has none.
type askingUi struct {
	said    []string
	answers chan string
	asked   chan struct{}
}

func (u *askingUi) Ask(q string) (string, error) {
	u.said = append(u.said, "ask: "+q)
	if u.answers == nil {
		return "", packer.ErrNoTerminal
	}
	close(u.asked)
	return <-u.answers, nil
}
func (u *askingUi) Say(m string)              { u.said = append(u.said, m) }
func (u *askingUi) Message(m string)          { u.said = append(u.said, m) }
func (u *askingUi) Error(m string)            { u.said = append(u.said, m) }
func (u *askingUi) Machine(string, ...string) {}

func prepared(t *testing.T, raw map[string]any) *Provisioner {
	p := new(Provisioner)
	if err := p.Prepare(raw); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBreakpoint_waitsForEnter(t *testing.T) {
	ui := &askingUi{answers: make(chan string), asked: make(chan struct{})}
	done := make(chan error)
	go func() {
		done <- prepared(t, map[string]any{"note": "look at /etc"}).Provision(context.Background(), ui, nil)
	}()
	<-ui.asked
	select {
	case err := <-done:
		t.Fatalf("returned before Enter: %v", err)
	default:
	}
	ui.answers <- ""
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ui.said[0] != `Pausing at breakpoint provisioner with note "look at /etc".` {
		t.Errorf("said %q", ui.said)
	}
}

func TestBreakpoint_skipsWithoutATerminal(t *testing.T) {
	ui := &askingUi{}
	if err := prepared(t, map[string]any{}).Provision(context.Background(), ui, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(ui.said, "\n"), "No terminal to wait on: skipping the breakpoint.") {
		t.Errorf("said %q", ui.said)
	}
}

func TestBreakpoint_disabledAndCancelled(t *testing.T) {
	ui := &askingUi{}
	if err := prepared(t, map[string]any{"disable": true}).Provision(context.Background(), ui, nil); err != nil || ui.said[0] != "Breakpoint disabled, continuing..." {
		t.Errorf("disabled: %v, %q", err, ui.said)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	waiting := &askingUi{answers: make(chan string), asked: make(chan struct{})}
	if err := prepared(t, map[string]any{}).Provision(ctx, waiting, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := new(Provisioner).Prepare(map[string]any{"note": "x", "pause": true}); err == nil {
		t.Error("an unknown key was accepted")
	}
}

// cancellingUi has no terminal, and the build is cancelled while it is asked.
type cancellingUi struct {
	askingUi
	cancel context.CancelFunc
}

func (u *cancellingUi) Ask(string) (string, error) {
	u.cancel()
	return "", packer.ErrNoTerminal
}

// A cancelled build never passes a breakpoint, even when the answer that
// there is no terminal is as ready as the cancellation.
func TestBreakpoint_cancelledWhileAskingIsCancelledEvenWithoutATerminal(t *testing.T) {
	p := prepared(t, nil)
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		err := p.Provision(ctx, &cancellingUi{cancel: cancel}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run %d: Provision cancelled while asking = %v, want context.Canceled", i, err)
		}
	}
}
