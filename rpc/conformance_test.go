package rpc

import (
	"context"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// servedCommunicator serves a local communicator from a builder on the
// other end of a connection, as a builder plugin does, and runs use with
// the core's proxy to it while the builder's provision hook runs.
func servedCommunicator(t *testing.T, use func(comm packer.Communicator)) {
	t.Helper()
	builder := &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		return nil, hook.Run(ctx, packer.HookProvision, ui, &local.Communicator{}, nil)
	}}
	hook := funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		use(comm)
		return nil
	})
	if _, err := connect(t, builder, nil, nil).Builder().Run(context.Background(), &recordingUi{}, hook); err != nil {
		t.Fatal(err)
	}
}

func TestCommunicator_aProxyPassesTheConformanceKit(t *testing.T) {
	requireUnix(t)
	servedCommunicator(t, func(comm packer.Communicator) {
		packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) { return comm, t.TempDir() })
	})
}

func TestCommunicator_aProxyRelayedToAThirdPartyPassesTheConformanceKit(t *testing.T) {
	requireUnix(t)
	// The kit runs in the provisioner's end, whose communicator lives on
	// the builder's connection: every call is relayed through the core.
	provisioner := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) { return comm, t.TempDir() })
		return nil
	}), nil, nil)
	servedCommunicator(t, func(comm packer.Communicator) {
		if err := provisioner.Provisioner().Provision(context.Background(), &recordingUi{}, comm); err != nil {
			t.Error(err)
		}
	})
}

// forwardingUi is a Ui of the plugin's own that passes every call on to
// the Ui the core gave it: handed to the core's hook, it makes the core
// call across the connection and back.
type forwardingUi struct{ to packer.Ui }

func (u *forwardingUi) Ask(q string) (string, error)        { return u.to.Ask(q) }
func (u *forwardingUi) Say(m string)                        { u.to.Say(m) }
func (u *forwardingUi) Message(m string)                    { u.to.Message(m) }
func (u *forwardingUi) Error(m string)                      { u.to.Error(m) }
func (u *forwardingUi) Machine(kind string, args ...string) { u.to.Machine(kind, args...) }

func TestUi_aProxyPassesTheUiKit(t *testing.T) {
	builder := &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		return nil, hook.Run(ctx, packer.HookProvision, &forwardingUi{ui}, nil, nil)
	}}
	client := connect(t, builder, nil, nil)
	packertest.TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
		recorder := new(packertest.Ui)
		var proxy packer.Ui
		hook := funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
			proxy = ui
			return nil
		})
		if _, err := client.Builder().Run(context.Background(), recorder, hook); err != nil {
			t.Fatal(err)
		}
		return proxy, recorder.Shown
	})
}
