package sdkrpc

import (
	"context"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// Builder is an SDK plugin's builder, as a packer.Builder that renders its
// own configuration and declares generated variables.
type Builder struct {
	conn *Conn

	mu        sync.Mutex
	generated []string
}

var (
	_ packer.Builder           = (*Builder)(nil)
	_ packer.SelfRendering     = (*Builder)(nil)
	_ packer.GeneratingBuilder = (*Builder)(nil)
)

// NewBuilder returns the builder served on conn's main stream.
func NewBuilder(conn *Conn) *Builder { return &Builder{conn: conn} }

// RendersOwnConfig is true: SDK components render their own templates.
func (b *Builder) RendersOwnConfig() bool { return true }

// GeneratedVars returns the variables the last Prepare declared.
func (b *Builder) GeneratedVars() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.generated
}

// Prepare calls Builder.Prepare with raws as the plugin's Configs.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var reply BuilderPrepareResponse
	if err := b.conn.call("Builder.Prepare", &BuilderPrepareArgs{Configs: wireValues(raws)}, &reply); err != nil {
		return nil, callFailed("Builder.Prepare", err, nil, b.conn.config.Explain)
	}
	b.mu.Lock()
	b.generated = reply.GeneratedVars
	b.mu.Unlock()
	return reply.Warnings, reply.Error.err()
}

// Run calls Builder.Run, serving ui and hook to the plugin for the length
// of the call; ctx ending sends Builder.Cancel.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	hooks := newHookServer(ctx, hook, ui, b.conn)
	defer hooks.stop()
	id := b.conn.broker.serve(map[string]any{"Ui": newUiServer(ui), "Hook": hooks}, b.conn.config.Logger)
	stop := b.conn.cancelOnDone(ctx, "Builder.Cancel")
	defer stop()
	var artifact uint32
	if err := b.conn.call("Builder.Run", id, &artifact); err != nil {
		return nil, callFailed("Builder.Run", err, ctx.Err(), b.conn.config.Explain)
	}
	if artifact == 0 {
		return nil, nil
	}
	return dialArtifact(b.conn, artifact)
}
