package rpc

import (
	"context"

	"github.com/packer-classic/packer/packer"
)

// postProcessorClient is a packer.PostProcessor on the other side of the
// connection.
type postProcessorClient struct{ r *remote }

var _ packer.PostProcessor = (*postProcessorClient)(nil)

// PostProcessArgs is the wire form of PostProcessor.PostProcess's arguments.
type PostProcessArgs struct {
	Ctx      wireContext
	Ui       ref
	Artifact ref
}

func (p *postProcessorClient) Prepare(raws ...any) error {
	args, err := prepareArgs(raws)
	if err != nil {
		return err
	}
	var reply ErrorReply
	if err := p.r.call("PostProcessor.Prepare", args, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (p *postProcessorClient) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	wc, stop := p.r.s.exportContext(ctx)
	defer stop()
	args := &PostProcessArgs{Ctx: wc, Ui: p.r.s.export(ui), Artifact: p.r.s.export(a)}
	var reply ArtifactReply
	if err := p.r.call("PostProcessor.PostProcess", args, &reply); err != nil {
		return nil, false, err
	}
	result, err := resolveAs[packer.Artifact](p.r.s, reply.Artifact, ifaceArtifact)
	if err != nil {
		return nil, false, err
	}
	return result, reply.Keep, decodeError(reply.Err)
}

func (p *postProcessorClient) remoteRef() *remote { return p.r }

// postProcessorServer serves a packer.PostProcessor to the other side.
type postProcessorServer struct {
	s    *session
	impl packer.PostProcessor
}

// Prepare serves PostProcessor.Prepare.
func (p *postProcessorServer) Prepare(args *PrepareArgs, reply *ErrorReply) error {
	reply.Err = p.s.run("PostProcessor.Prepare", func() error {
		raws, err := decodeRaws(args)
		if err != nil {
			return err
		}
		return p.impl.Prepare(raws...)
	})
	return nil
}

// PostProcess serves PostProcessor.PostProcess.
func (p *postProcessorServer) PostProcess(args *PostProcessArgs, reply *ArtifactReply) error {
	reply.Err = p.s.run("PostProcessor.PostProcess", func() error {
		ui, err := resolveAs[packer.Ui](p.s, args.Ui, ifaceUi)
		if err != nil {
			return err
		}
		input, err := resolveAs[packer.Artifact](p.s, args.Artifact, ifaceArtifact)
		if err != nil {
			return err
		}
		ctx, done := p.s.importContext(args.Ctx)
		defer done()
		result, keep, err := p.impl.PostProcess(ctx, ui, input)
		reply.Artifact = p.s.export(result)
		reply.Keep = keep
		return err
	})
	return nil
}
