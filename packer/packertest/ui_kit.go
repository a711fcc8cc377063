package packertest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// MakeUi returns the Ui under test, with no person at a terminal to answer
// it, and shown, which returns everything the Ui has shown so far.
type MakeUi func(t *testing.T) (ui packer.Ui, shown func() string)

// TestUi checks a Ui against the contract written on packer.Ui: what Say,
// Message and Error show is shown once they return, in the order they were
// called, whole however long, from several goroutines at once; Machine is
// accepted; and Ask with no terminal returns an error that errors.Is
// packer.ErrNoTerminal instead of waiting.
func TestUi(t *testing.T, makeUi MakeUi) {
	t.Run("EveryMethodShows", func(t *testing.T) {
		ui, shown := makeUi(t)
		ui.Say("packertest say")
		ui.Message("packertest message")
		ui.Error("packertest error")
		ui.Machine("packertest", "one", "two")
		got := shown()
		for _, want := range []string{"packertest say", "packertest message", "packertest error"} {
			if !strings.Contains(got, want) {
				t.Errorf("%q was not shown once its call returned; shown: %q", want, truncate(got))
			}
		}
	})
	t.Run("OrderIsKept", func(t *testing.T) {
		ui, shown := makeUi(t)
		for i := range 100 {
			ui.Message(fmt.Sprintf("line-%03d", i))
		}
		got, last := shown(), -1
		for i := range 100 {
			at := strings.Index(got, fmt.Sprintf("line-%03d", i))
			if at < last {
				t.Fatalf("line-%03d was shown before the line called before it", i)
			}
			last = at
		}
	})
	t.Run("ALongMessageIsShownWhole", func(t *testing.T) {
		ui, shown := makeUi(t)
		long := strings.Repeat("m", 2<<20)
		ui.Message("start" + long + "end")
		if got := shown(); !strings.Contains(got, "start"+long+"end") {
			t.Errorf("a 2 MiB message was not shown whole (%d bytes shown)", len(got))
		}
	})
	t.Run("ConcurrentUse", func(t *testing.T) {
		ui, shown := makeUi(t)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					ui.Say(fmt.Sprintf("[g%d-%d]", g, i))
				}
			}()
		}
		wg.Wait()
		got := shown()
		for g := range 8 {
			for i := range 25 {
				if !strings.Contains(got, fmt.Sprintf("[g%d-%d]", g, i)) {
					t.Fatalf("[g%d-%d] was lost when 8 goroutines used the Ui at once", g, i)
				}
			}
		}
	})
	t.Run("AskWithoutATerminal", func(t *testing.T) {
		ui, _ := makeUi(t)
		var err error
		within(t, "Ask with no terminal", func() { _, err = ui.Ask("packertest question?") })
		if !errors.Is(err, packer.ErrNoTerminal) {
			t.Errorf("Ask with no terminal = %v, want an error wrapping packer.ErrNoTerminal", err)
		}
	})
}
