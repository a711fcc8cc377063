package rpc

import (
	"context"
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// packer.Builder on the wire.
var builderInterface = declare(wireInterface{
	id:   2,
	name: "Builder",
	kind: packer.KindBuilder,
	serve: func(s *session, obj any) any {
		if b, ok := obj.(packer.Builder); ok {
			return &builderServer{s: s, impl: b}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &builderClient{r} },
	methods: []string{builderPrepare, builderRun},
})

const (
	builderPrepare = "Builder.Prepare"
	builderRun     = "Builder.Run"
)

// BuilderPrepareReply is the wire form of Builder.Prepare's results.
type BuilderPrepareReply struct {
	Warnings []string
	Err      *wireError
}

// BuilderRunArgs is the wire form of Builder.Run's arguments.
type BuilderRunArgs struct {
	Ctx  wireContext
	Ui   ref
	Hook ref
}

// BuilderRunReply is the wire form of Builder.Run's results.
type BuilderRunReply struct {
	Artifact wireArtifact
	Err      *wireError
}

// builderClient is a packer.Builder on the other side of the connection.
type builderClient struct{ r *remote }

var _ packer.Builder = (*builderClient)(nil)

func (b *builderClient) Prepare(raws ...any) ([]string, error) {
	args, err := prepareArgs(raws)
	if err != nil {
		return nil, err
	}
	var reply BuilderPrepareReply
	if err := b.r.call(builderPrepare, args, &reply); err != nil {
		return nil, err
	}
	return reply.Warnings, decodeError(reply.Err)
}

func (b *builderClient) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	wc, stop := b.r.s.exportContext(ctx)
	defer stop()
	args := &BuilderRunArgs{Ctx: wc, Ui: b.r.s.export(ui), Hook: b.r.s.export(hook)}
	var reply BuilderRunReply
	if err := b.r.callContext(ctx, builderRun, args, &reply); err != nil {
		return nil, err
	}
	artifact, err := b.r.s.resolveArtifact(reply.Artifact)
	if err != nil {
		return nil, err
	}
	return artifact, decodeError(reply.Err)
}

func (b *builderClient) remoteRef() *remote { return b.r }

// builderServer serves a packer.Builder to the other side.
type builderServer struct {
	s    *session
	impl packer.Builder
}

// Prepare serves Builder.Prepare.
func (b *builderServer) Prepare(args *PrepareArgs, reply *BuilderPrepareReply) error {
	reply.Err = b.s.run(builderPrepare, func() error {
		raws, err := decodeRaws(args)
		if err != nil {
			return err
		}
		reply.Warnings, err = b.impl.Prepare(raws...)
		return err
	})
	return nil
}

// Run serves Builder.Run.
func (b *builderServer) Run(args *BuilderRunArgs, reply *BuilderRunReply) error {
	reply.Err = b.s.run(builderRun, func() error {
		ui, err := resolveAs[packer.Ui](b.s, args.Ui, uiInterface.id)
		if err != nil {
			return err
		}
		hook, err := resolveAs[packer.Hook](b.s, args.Hook, hookInterface.id)
		if err != nil {
			return err
		}
		ctx, done := b.s.importContext(args.Ctx)
		defer done()
		artifact, err := b.impl.Run(ctx, ui, hook)
		var exportErr error
		if reply.Artifact, exportErr = b.s.exportArtifact(artifact); exportErr != nil && err == nil {
			err = fmt.Errorf("the builder's artifact cannot be returned: %w", exportErr)
		}
		return err
	})
	return nil
}
