package rpc

import (
	"context"
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// packer.PostProcessor on the wire.
var postProcessorInterface = declare(wireInterface{
	id:   4,
	name: "PostProcessor",
	kind: packer.KindPostProcessor,
	serve: func(s *session, obj any) any {
		if p, ok := obj.(packer.PostProcessor); ok {
			return &postProcessorServer{s: s, impl: p}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &postProcessorClient{r} },
	methods: []string{postProcessorPrepare, postProcessorPostProcess},
})

const (
	postProcessorPrepare     = "PostProcessor.Prepare"
	postProcessorPostProcess = "PostProcessor.PostProcess"
)

// PostProcessorPostProcessArgs is the wire form of
// PostProcessor.PostProcess's arguments.
type PostProcessorPostProcessArgs struct {
	Ctx      wireContext
	Ui       ref
	Artifact wireArtifact
}

// PostProcessorPostProcessReply is the wire form of
// PostProcessor.PostProcess's results.
type PostProcessorPostProcessReply struct {
	Artifact wireArtifact
	Keep     bool
	Err      *wireError
}

// postProcessorClient is a packer.PostProcessor on the other side of the
// connection.
type postProcessorClient struct{ r *remote }

var _ packer.PostProcessor = (*postProcessorClient)(nil)

func (p *postProcessorClient) Prepare(raws ...any) error {
	args, err := prepareArgs(raws)
	if err != nil {
		return err
	}
	return p.r.callErr(postProcessorPrepare, args)
}

func (p *postProcessorClient) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	input, err := p.r.s.exportArtifact(a)
	if err != nil {
		return nil, false, fmt.Errorf("the artifact cannot be handed to the post-processor: %w", err)
	}
	wc, stop := p.r.s.exportContext(ctx)
	defer stop()
	args := &PostProcessorPostProcessArgs{Ctx: wc, Ui: p.r.s.export(ui), Artifact: input}
	var reply PostProcessorPostProcessReply
	if err := p.r.callContext(ctx, postProcessorPostProcess, args, &reply); err != nil {
		return nil, false, err
	}
	result, err := p.r.s.resolveArtifact(reply.Artifact)
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
	reply.Err = p.s.run(postProcessorPrepare, func() error {
		raws, err := decodeRaws(args)
		if err != nil {
			return err
		}
		return p.impl.Prepare(raws...)
	})
	return nil
}

// PostProcess serves PostProcessor.PostProcess.
func (p *postProcessorServer) PostProcess(args *PostProcessorPostProcessArgs, reply *PostProcessorPostProcessReply) error {
	reply.Err = p.s.run(postProcessorPostProcess, func() error {
		ui, err := resolveAs[packer.Ui](p.s, args.Ui, uiInterface.id)
		if err != nil {
			return err
		}
		input, err := p.s.resolveArtifact(args.Artifact)
		if err != nil {
			return err
		}
		ctx, done := p.s.importContext(args.Ctx)
		defer done()
		result, keep, err := p.impl.PostProcess(ctx, ui, input)
		var exportErr error
		if reply.Artifact, exportErr = p.s.exportArtifact(result); exportErr != nil && err == nil {
			err = fmt.Errorf("the post-processor's artifact cannot be returned: %w", exportErr)
		}
		reply.Keep = keep
		return err
	})
	return nil
}
