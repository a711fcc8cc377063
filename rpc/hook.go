package rpc

import (
	"context"

	"github.com/packer-classic/packer/packer"
)

// packer.Hook on the wire. A hook's data travels as JSON (values.go).
var hookInterface = declare(wireInterface{
	id:   5,
	name: "Hook",
	kind: packer.KindHook,
	serve: func(s *session, obj any) any {
		if h, ok := obj.(packer.Hook); ok {
			return &hookServer{s: s, impl: h}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &hookClient{r} },
	methods: []string{hookRun},
})

const hookRun = "Hook.Run"

// HookRunArgs is the wire form of Hook.Run's arguments.
type HookRunArgs struct {
	Ctx  wireContext
	Name string
	Ui   ref
	Comm ref
	Data []byte
}

// hookClient is a packer.Hook on the other side of the connection.
type hookClient struct{ r *remote }

var _ packer.Hook = (*hookClient)(nil)

func (h *hookClient) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	encoded, err := encodeValue(valueLabel{"the data of hook", name}, data)
	if err != nil {
		return err
	}
	wc, stop := h.r.s.exportContext(ctx)
	defer stop()
	args := &HookRunArgs{Ctx: wc, Name: name, Ui: h.r.s.export(ui), Comm: h.r.s.export(comm), Data: encoded}
	var reply ErrorReply
	if err := h.r.callContext(ctx, hookRun, args, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (h *hookClient) remoteRef() *remote { return h.r }

// hookServer serves a packer.Hook to the other side.
type hookServer struct {
	s    *session
	impl packer.Hook
}

// Run serves Hook.Run.
func (h *hookServer) Run(args *HookRunArgs, reply *ErrorReply) error {
	reply.Err = h.s.run(hookRun, func() error {
		ui, err := resolveAs[packer.Ui](h.s, args.Ui, uiInterface.id)
		if err != nil {
			return err
		}
		comm, err := resolveAs[packer.Communicator](h.s, args.Comm, communicatorInterface.id)
		if err != nil {
			return err
		}
		data, err := decodeValue(valueLabel{"the data of hook", args.Name}, args.Data)
		if err != nil {
			return err
		}
		ctx, done := h.s.importContext(args.Ctx)
		defer done()
		return h.impl.Run(ctx, args.Name, ui, comm, data)
	})
	return nil
}
