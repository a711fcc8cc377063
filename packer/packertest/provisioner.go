package packertest

import (
	"context"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// ProvisionerHarness says how TestProvisioner makes and configures the
// provisioner under test, and what it provisions.
type ProvisionerHarness struct {
	// New returns a fresh provisioner; it is called once per rule.
	New func(t *testing.T) packer.Provisioner
	// Config returns a valid configuration for it.
	Config func(t *testing.T) map[string]any
	// Communicator returns what it provisions through, or nil for a
	// provisioner that needs none (shell-local).
	Communicator func(t *testing.T) packer.Communicator
}

// TestProvisioner checks a Provisioner against the contract written on
// packer.Provisioner: Prepare as TestBuilder checks it; Provision succeeds;
// with a context cancelled before it starts, or while it runs a command,
// Provision returns an error wrapping context.Canceled.
func TestProvisioner(t *testing.T, h ProvisionerHarness) {
	checkPrepare(t, h.Config, func(t *testing.T, raws ...any) error { return h.New(t).Prepare(raws...) })
	prepared := func(t *testing.T) packer.Provisioner {
		p := h.New(t)
		if err := p.Prepare(h.Config(t), CoreKeys("kit", "kit")); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		return p
	}
	comm := func(t *testing.T) packer.Communicator {
		if h.Communicator == nil {
			return nil
		}
		return h.Communicator(t)
	}
	t.Run("Provision", func(t *testing.T) {
		p := prepared(t)
		var err error
		within(t, "Provision", func() { err = p.Provision(context.Background(), new(Ui), comm(t)) })
		if err != nil {
			t.Errorf("Provision: %v", err)
		}
	})
	t.Run("AlreadyCancelled", func(t *testing.T) {
		p := prepared(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var err error
		within(t, "Provision with a cancelled context", func() { err = p.Provision(ctx, new(Ui), comm(t)) })
		wantCancelled(t, "Provision", err)
	})
	t.Run("CancelledWhileRunning", func(t *testing.T) {
		c := comm(t)
		if c == nil {
			t.Skip("the provisioner needs no communicator")
		}
		p := prepared(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelling := &cancellingCommunicator{Communicator: c, cancel: cancel}
		var err error
		within(t, "Provision cancelled while it runs a command", func() { err = p.Provision(ctx, new(Ui), cancelling) })
		if !cancelling.started() {
			t.Skip("the provisioner ran no command")
		}
		wantCancelled(t, "Provision", err)
	})
}

// cancellingCommunicator cancels the provisioner's context as its first
// command starts: Ctrl-C while a script runs.
type cancellingCommunicator struct {
	packer.Communicator
	cancel context.CancelFunc

	mu  sync.Mutex
	ran bool
}

func (c *cancellingCommunicator) Start(ctx context.Context, cmd *packer.RemoteCmd) error {
	c.mu.Lock()
	c.ran = true
	c.mu.Unlock()
	err := c.Communicator.Start(ctx, cmd)
	c.cancel()
	return err
}

func (c *cancellingCommunicator) started() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ran
}
