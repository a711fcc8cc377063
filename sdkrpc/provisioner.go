package sdkrpc

import (
	"context"
	"errors"

	"github.com/packer-classic/packer/packer"
)

var errNoCommunicator = errors.New("this build has no communicator (its builder lends none), so a provisioner cannot reach the machine")

// Provisioner is an SDK plugin's provisioner, as a packer.Provisioner that
// renders its own configuration and takes the build's data with each run.
type Provisioner struct {
	conn *Conn
}

var (
	_ packer.Provisioner     = (*Provisioner)(nil)
	_ packer.SelfRendering   = (*Provisioner)(nil)
	_ packer.DataProvisioner = (*Provisioner)(nil)
)

// NewProvisioner returns the provisioner served on conn's main stream.
func NewProvisioner(conn *Conn) *Provisioner { return &Provisioner{conn: conn} }

// RendersOwnConfig is true: SDK components render their own templates.
func (p *Provisioner) RendersOwnConfig() bool { return true }

// Prepare calls Provisioner.Prepare with raws as the plugin's Configs.
func (p *Provisioner) Prepare(raws ...any) error {
	err := p.conn.call("Provisioner.Prepare", &ProvisionerPrepareArgs{Configs: wireValues(raws)}, nil)
	return callFailed("Provisioner.Prepare", err, nil, p.conn.config.Explain)
}

// Provision runs the provisioner without build data.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return p.ProvisionWithData(ctx, ui, comm, nil)
}

// ProvisionWithData calls Provisioner.Provision, serving ui and comm to
// the plugin for the length of the call; ctx ending sends
// Provisioner.Cancel.
func (p *Provisioner) ProvisionWithData(ctx context.Context, ui packer.Ui, comm packer.Communicator, data map[string]any) error {
	id := p.conn.broker.serve(map[string]any{
		"Ui":           newUiServer(ui),
		"Communicator": &communicatorServer{ctx: ctx, comm: comm, conn: p.conn},
	}, p.conn.config.Logger)
	stop := p.conn.cancelOnDone(ctx, "Provisioner.Cancel")
	defer stop()
	abandon := p.conn.abandonAfterDeadline(ctx)
	var generated map[string]any
	if data != nil {
		generated, _ = wireValue(data).(map[string]any)
	}
	err := p.conn.call("Provisioner.Provision", &ProvisionerProvisionArgs{GeneratedData: generated, StreamID: id}, nil)
	if abandon() {
		return abandonedError("Provisioner.Provision")
	}
	return callFailed("Provisioner.Provision", err, ctx.Err(), p.conn.config.Explain)
}
