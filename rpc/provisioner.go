package rpc

import (
	"context"

	"github.com/packer-classic/packer/packer"
)

// packer.Provisioner on the wire.
var provisionerInterface = declare(wireInterface{
	id:   3,
	name: "Provisioner",
	kind: packer.KindProvisioner,
	serve: func(s *session, obj any) any {
		if p, ok := obj.(packer.Provisioner); ok {
			return &provisionerServer{s: s, impl: p}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &provisionerClient{r} },
	methods: []string{provisionerPrepare, provisionerProvision},
})

const (
	provisionerPrepare   = "Provisioner.Prepare"
	provisionerProvision = "Provisioner.Provision"
)

// ProvisionerProvisionArgs is the wire form of Provisioner.Provision's
// arguments.
type ProvisionerProvisionArgs struct {
	Ctx  wireContext
	Ui   ref
	Comm ref
}

// provisionerClient is a packer.Provisioner on the other side of the
// connection.
type provisionerClient struct{ r *remote }

var _ packer.Provisioner = (*provisionerClient)(nil)

func (p *provisionerClient) Prepare(raws ...any) error {
	args, err := prepareArgs(raws)
	if err != nil {
		return err
	}
	return p.r.callErr(provisionerPrepare, args)
}

func (p *provisionerClient) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	wc, stop := p.r.s.exportContext(ctx)
	defer stop()
	args := &ProvisionerProvisionArgs{Ctx: wc, Ui: p.r.s.export(ui), Comm: p.r.s.export(comm)}
	var reply ErrorReply
	if err := p.r.callContext(ctx, provisionerProvision, args, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (p *provisionerClient) remoteRef() *remote { return p.r }

// provisionerServer serves a packer.Provisioner to the other side.
type provisionerServer struct {
	s    *session
	impl packer.Provisioner
}

// Prepare serves Provisioner.Prepare.
func (p *provisionerServer) Prepare(args *PrepareArgs, reply *ErrorReply) error {
	reply.Err = p.s.run(provisionerPrepare, func() error {
		raws, err := decodeRaws(args)
		if err != nil {
			return err
		}
		return p.impl.Prepare(raws...)
	})
	return nil
}

// Provision serves Provisioner.Provision.
func (p *provisionerServer) Provision(args *ProvisionerProvisionArgs, reply *ErrorReply) error {
	reply.Err = p.s.run(provisionerProvision, func() error {
		ui, err := resolveAs[packer.Ui](p.s, args.Ui, uiInterface.id)
		if err != nil {
			return err
		}
		comm, err := resolveAs[packer.Communicator](p.s, args.Comm, communicatorInterface.id)
		if err != nil {
			return err
		}
		ctx, done := p.s.importContext(args.Ctx)
		defer done()
		return p.impl.Provision(ctx, ui, comm)
	})
	return nil
}
