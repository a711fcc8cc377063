package sdkrpc

import (
	"context"
	"net/rpc"

	"github.com/packer-classic/packer/packer"
)

// PostProcessor is an SDK plugin's post-processor, as a
// packer.PostProcessor that renders its own configuration and may force
// its input artifact kept.
type PostProcessor struct {
	conn *Conn
}

var (
	_ packer.PostProcessor        = (*PostProcessor)(nil)
	_ packer.SelfRendering        = (*PostProcessor)(nil)
	_ packer.ForcingPostProcessor = (*PostProcessor)(nil)
)

// NewPostProcessor returns the post-processor served on conn's main
// stream.
func NewPostProcessor(conn *Conn) *PostProcessor { return &PostProcessor{conn: conn} }

// RendersOwnConfig is true: SDK components render their own templates.
func (p *PostProcessor) RendersOwnConfig() bool { return true }

// Prepare calls PostProcessor.Configure with raws as the plugin's Configs.
func (p *PostProcessor) Prepare(raws ...any) error {
	err := p.conn.call("PostProcessor.Configure", &PostProcessorConfigureArgs{Configs: wireValues(raws)}, nil)
	return callFailed("PostProcessor.Configure", err, nil, p.conn.config.Explain)
}

// PostProcess post-processes a; the plugin's forceOverride is dropped (see
// PostProcessForcing).
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	result, keep, _, err := p.PostProcessForcing(ctx, ui, a)
	return result, keep, err
}

// PostProcessForcing calls PostProcessor.PostProcess, serving a and ui to
// the plugin for the length of the call; ctx ending sends
// PostProcessor.Cancel.
func (p *PostProcessor) PostProcessForcing(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, bool, error) {
	id := p.conn.broker.serve(map[string]any{"Ui": newUiServer(ui), "Artifact": artifactServer{a}}, p.conn.config.Logger)
	stop := p.conn.cancelOnDone(ctx, "PostProcessor.Cancel")
	defer stop()
	var reply PostProcessorProcessResponse
	if err := p.conn.call("PostProcessor.PostProcess", id, &reply); err != nil {
		return nil, false, false, callFailed("PostProcessor.PostProcess", err, ctx.Err(), p.conn.config.Explain)
	}
	if reply.Err != nil {
		return nil, false, false, callFailed("PostProcessor.PostProcess", rpc.ServerError(reply.Err.Message), ctx.Err(), nil)
	}
	if reply.StreamId == 0 {
		return nil, false, false, nil
	}
	result, err := dialArtifact(p.conn, reply.StreamId)
	if err != nil {
		return nil, false, false, err
	}
	return result, reply.Keep, reply.ForceOverride, nil
}
