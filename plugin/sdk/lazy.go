package sdk

import (
	"context"
	"sync"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/sdkrpc"
)

// The components of a process started in the background: each waits for
// the start on first use, then calls the plugin. They implement what
// sdkrpc's components do, the optional interfaces included.

// lazy makes its component once, when the start is over.
type lazy[T any] struct {
	p    *Process
	make func(*sdkrpc.Conn) T
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get() (T, error) {
	l.once.Do(func() {
		conn, err := l.p.wait()
		if err != nil {
			l.err = err
			return
		}
		l.v = l.make(conn)
	})
	return l.v, l.err
}

type lazyBuilder struct{ lazy[*sdkrpc.Builder] }

func (l *lazyBuilder) RendersOwnConfig() bool { return true }

func (l *lazyBuilder) Prepare(raws ...any) ([]string, error) {
	b, err := l.get()
	if err != nil {
		return nil, err
	}
	return b.Prepare(raws...)
}

func (l *lazyBuilder) GeneratedVars() []string {
	if b, err := l.get(); err == nil {
		return b.GeneratedVars()
	}
	return nil
}

func (l *lazyBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	b, err := l.get()
	if err != nil {
		return nil, err
	}
	return b.Run(ctx, ui, hook)
}

type lazyProvisioner struct{ lazy[*sdkrpc.Provisioner] }

func (l *lazyProvisioner) RendersOwnConfig() bool { return true }

func (l *lazyProvisioner) Prepare(raws ...any) error {
	p, err := l.get()
	if err != nil {
		return err
	}
	return p.Prepare(raws...)
}

func (l *lazyProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return l.ProvisionWithData(ctx, ui, comm, nil)
}

func (l *lazyProvisioner) ProvisionWithData(ctx context.Context, ui packer.Ui, comm packer.Communicator, data map[string]any) error {
	p, err := l.get()
	if err != nil {
		return err
	}
	return p.ProvisionWithData(ctx, ui, comm, data)
}

type lazyPostProcessor struct{ lazy[*sdkrpc.PostProcessor] }

func (l *lazyPostProcessor) RendersOwnConfig() bool { return true }

func (l *lazyPostProcessor) Prepare(raws ...any) error {
	p, err := l.get()
	if err != nil {
		return err
	}
	return p.Prepare(raws...)
}

func (l *lazyPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	result, keep, _, err := l.PostProcessForcing(ctx, ui, a)
	return result, keep, err
}

func (l *lazyPostProcessor) PostProcessForcing(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, bool, error) {
	p, err := l.get()
	if err != nil {
		return nil, false, false, err
	}
	return p.PostProcessForcing(ctx, ui, a)
}
