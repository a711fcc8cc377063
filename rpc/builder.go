package rpc

import (
	"context"
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// builderClient is a packer.Builder on the other side of the connection.
type builderClient struct{ r *remote }

var _ packer.Builder = (*builderClient)(nil)

// PrepareArgs is the wire form of a component's Prepare arguments.
type PrepareArgs struct {
	Raws []byte // JSON array of the raws
}

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

// ArtifactReply is the wire form of a method that returns an Artifact.
type ArtifactReply struct {
	Artifact wireArtifact
	Keep     bool
	Err      *wireError
}

func (b *builderClient) Prepare(raws ...any) ([]string, error) {
	args, err := prepareArgs(raws)
	if err != nil {
		return nil, err
	}
	var reply BuilderPrepareReply
	if err := b.r.call("Builder.Prepare", args, &reply); err != nil {
		return nil, err
	}
	return reply.Warnings, decodeError(reply.Err)
}

func (b *builderClient) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	wc, stop := b.r.s.exportContext(ctx)
	defer stop()
	args := &BuilderRunArgs{Ctx: wc, Ui: b.r.s.export(ui), Hook: b.r.s.export(hook)}
	var reply ArtifactReply
	if err := b.r.callContext(ctx, "Builder.Run", args, &reply); err != nil {
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
	reply.Err = b.s.run("Builder.Prepare", func() error {
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
func (b *builderServer) Run(args *BuilderRunArgs, reply *ArtifactReply) error {
	reply.Err = b.s.run("Builder.Run", func() error {
		ui, err := resolveAs[packer.Ui](b.s, args.Ui, ifaceUi)
		if err != nil {
			return err
		}
		hook, err := resolveAs[packer.Hook](b.s, args.Hook, ifaceHook)
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

func prepareArgs(raws []any) (*PrepareArgs, error) {
	encoded, err := encodeValue(valueLabel{what: "the configuration"}, raws)
	if err != nil {
		return nil, err
	}
	return &PrepareArgs{Raws: encoded}, nil
}

func decodeRaws(args *PrepareArgs) ([]any, error) {
	v, err := decodeValue(valueLabel{what: "the configuration"}, args.Raws)
	if err != nil || v == nil {
		return nil, err
	}
	raws, _ := v.([]any)
	return raws, nil
}

// resolveAs resolves a reference and checks that it implements T.
func resolveAs[T any](s *session, r ref, iface byte) (T, error) {
	var zero T
	obj, err := s.resolve(r, iface)
	if err != nil || obj == nil {
		return zero, err
	}
	t, ok := obj.(T)
	if !ok {
		return zero, &remoteError{message: "the other side handed back an object of the wrong kind"}
	}
	return t, nil
}
