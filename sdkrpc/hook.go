package sdkrpc

import (
	"context"

	"github.com/packer-classic/packer/packer"
)

// hookServer serves the core's hook to an SDK builder for one Builder.Run.
// The hook runs with a context of its own, derived from the Run's, which
// Hook.Cancel (the builder's context ended, in the plugin) also ends.
type hookServer struct {
	hook packer.Hook
	ui   packer.Ui
	conn *Conn

	ctx    context.Context
	cancel context.CancelFunc
}

func newHookServer(ctx context.Context, hook packer.Hook, ui packer.Ui, conn *Conn) *hookServer {
	hctx, cancel := context.WithCancel(ctx)
	return &hookServer{hook: hook, ui: ui, conn: conn, ctx: hctx, cancel: cancel}
}

func (h *hookServer) stop() { h.cancel() }

// Run runs the hook named by args with the plugin's communicator (served on
// args.StreamId, with the plugin's Ui, which the core does not use: its
// own ui shows what the hook says, without a round trip through the
// plugin).
func (h *hookServer) Run(args *HookRunArgs, reply *any) error {
	client, err := h.conn.broker.dialClient(args.StreamId)
	if err != nil {
		return err
	}
	defer client.Close()
	comm := &communicatorClient{conn: h.conn, client: client}
	return h.hook.Run(h.ctx, args.Name, h.ui, comm, args.Data)
}

// Cancel ends the hook's context.
func (h *hookServer) Cancel(args *any, reply *any) error {
	h.cancel()
	return nil
}
