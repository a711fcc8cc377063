package plugin

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// provisionWith runs builder (a helper plugin in "provision" mode, whose
// provision hook hands out a local communicator) and calls use with the
// core's proxy to that communicator while the hook runs.
func provisionWith(t *testing.T, builder packer.Builder, use func(comm packer.Communicator)) {
	t.Helper()
	hook := hookFunc(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		use(comm)
		return nil
	})
	if _, err := builder.Run(context.Background(), newAnsweringUi("provision"), hook); err != nil {
		t.Fatal(err)
	}
}

func TestCommunicator_servedByABuilderProcessPassesTheConformanceKit(t *testing.T) {
	requireUnix(t)
	client, _ := startHelper(t, "builder", ClientConfig{})
	builder, err := client.Builder()
	if err != nil {
		t.Fatal(err)
	}
	provisionWith(t, builder, func(comm packer.Communicator) {
		packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) { return comm, t.TempDir() })
	})
}

// TestCommunicator_relayedThroughTwoProcessesPassesTheConformanceKit runs
// the kit on a communicator that lives in a builder process and is reached
// through a provisioner in a third process, as a provisioner plugin reaches
// its build's communicator through the core: the relay process's
// provisioner is handed the builder's communicator, and its builder hands
// that proxy back to the core, so every call the kit makes goes core ->
// relay -> core -> builder, with its data streams.
func TestCommunicator_relayedThroughTwoProcessesPassesTheConformanceKit(t *testing.T) {
	requireUnix(t)
	builderClient, _ := startHelper(t, "builder", ClientConfig{})
	relayClient, _ := startHelper(t, "relay", ClientConfig{Name: "packer-plugin-relay"})
	builder, err := builderClient.Builder()
	if err != nil {
		t.Fatal(err)
	}
	keep, err := relayClient.Dispense(packer.KindProvisioner, "keep")
	if err != nil {
		t.Fatal(err)
	}
	give, err := relayClient.Dispense(packer.KindBuilder, "give")
	if err != nil {
		t.Fatal(err)
	}
	provisionWith(t, builder, func(comm packer.Communicator) {
		if err := keep.(packer.Provisioner).Provision(context.Background(), newAnsweringUi(""), comm); err != nil {
			t.Fatal(err)
		}
		hook := hookFunc(func(ctx context.Context, name string, ui packer.Ui, relayed packer.Communicator, data any) error {
			packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) { return relayed, t.TempDir() })
			return nil
		})
		if _, err := give.(packer.Builder).Run(context.Background(), newAnsweringUi(""), hook); err != nil {
			t.Fatal(err)
		}
	})
}

// serveRelay is the relay process: its provisioner "keep" holds the
// communicator it is given, and its builder "give" hands it to the hook.
func serveRelay() {
	var held relayHeld
	set := NewSet("0.0.1")
	set.ShareProcess(true)
	set.RegisterProvisioner("keep", func() packer.Provisioner { return relayKeep{&held} })
	set.RegisterBuilder("give", func() packer.Builder { return relayGive{&held} })
	set.Run()
}

type relayHeld struct {
	mu   sync.Mutex
	comm packer.Communicator
}

type relayKeep struct{ held *relayHeld }

func (relayKeep) Prepare(...any) error { return nil }
func (p relayKeep) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	p.held.mu.Lock()
	defer p.held.mu.Unlock()
	p.held.comm = comm
	return nil
}

type relayGive struct{ held *relayHeld }

func (relayGive) Prepare(...any) ([]string, error) { return nil, nil }
func (b relayGive) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	b.held.mu.Lock()
	comm := b.held.comm
	b.held.mu.Unlock()
	if comm == nil {
		return nil, errors.New("no communicator was handed to keep")
	}
	return nil, hook.Run(ctx, packer.HookProvision, ui, comm, nil)
}

// uiForwarder is a builder whose provision hook gets a Ui of the plugin's
// own, which passes every call on to the Ui the core gave Run: the core's
// hook then holds a proxy into the plugin process whose calls come back.
type uiForwarder struct{}

func (uiForwarder) Prepare(...any) ([]string, error) { return nil, nil }
func (uiForwarder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return nil, hook.Run(ctx, packer.HookProvision, &forwardingUi{ui}, nil, nil)
}

type forwardingUi struct{ to packer.Ui }

func (u *forwardingUi) Ask(q string) (string, error)        { return u.to.Ask(q) }
func (u *forwardingUi) Say(m string)                        { u.to.Say(m) }
func (u *forwardingUi) Message(m string)                    { u.to.Message(m) }
func (u *forwardingUi) Error(m string)                      { u.to.Error(m) }
func (u *forwardingUi) Machine(kind string, args ...string) { u.to.Machine(kind, args...) }

func TestUi_aProxyIntoAPluginProcessAndBackPassesTheUiKit(t *testing.T) {
	requireUnix(t)
	client, _ := startHelper(t, "ui-forwarder", ClientConfig{})
	builder, err := client.Builder()
	if err != nil {
		t.Fatal(err)
	}
	packertest.TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
		recorder := new(packertest.Ui)
		var proxy packer.Ui
		hook := hookFunc(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
			proxy = ui
			return nil
		})
		if _, err := builder.Run(context.Background(), recorder, hook); err != nil {
			t.Fatal(err)
		}
		return proxy, recorder.Shown
	})
}
