// Command ours is the benchmark's plugin for this framework: one component
// that is both a Hook (for calls, callbacks and the 1 MiB argument) and a
// Builder (whose Run hands the core a communicator to upload into).
package main

import (
	"context"
	"io"
	"os"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type component struct{}

// Run is the hook: "ping" returns at once, "callback" asks the core's Ui,
// anything else (the 1 MiB name) is just received.
func (component) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	if name == "callback" {
		_, err := ui.Ask(name)
		return err
	}
	return nil
}

func (component) Prepare(raws ...any) ([]string, error) { return nil, nil }

// build is the builder's Run: it lends the core a communicator that
// discards what is uploaded to it.
func (component) build(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return nil, hook.Run(ctx, packer.HookProvision, ui, discard{}, nil)
}

// builder is the component served as a Builder.
type builder struct{ component }

func (b builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return b.build(ctx, ui, hook)
}

// set dispenses the hook and the builder.
type set struct{}

func (set) Dispense(kind packer.Kind, name string) (any, error) {
	if kind == "hook" {
		return component{}, nil
	}
	return builder{}, nil
}

type discard struct{}

func (discard) Start(context.Context, *packer.RemoteCmd) error { return nil }
func (discard) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	_, err := io.CopyBuffer(io.Discard, src, make([]byte, 256<<10))
	return err
}
func (discard) UploadDir(dst, src string, exclude []string) error   { return nil }
func (discard) Download(src string, dst io.Writer) error            { return nil }
func (discard) DownloadDir(src, dst string, exclude []string) error { return nil }

func main() { plugin.ServeDispenser(set{}) }
