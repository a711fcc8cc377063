// Command packer-plugin-duo is a test multi-component plugin: a builder
// (type "duo", the default) that writes a file, and a post-processor (type
// "duo-stamp") that appends the pid serving it, so a test can tell that
// both ran in one process.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type builder struct {
	config struct {
		Output              string `mapstructure:"output"`
		packer.PackerConfig `mapstructure:",squash"`
	}
}

func (b *builder) Prepare(raws ...any) ([]string, error) {
	return nil, packer.DecodeConfig(&b.config, raws...)
}

func (b *builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	if err := os.WriteFile(b.config.Output, []byte(fmt.Sprintf("built by pid %d\n", os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	return &artifact{file: b.config.Output}, nil
}

type stamp struct{}

func (stamp) Prepare(raws ...any) error {
	var c packer.PackerConfig
	return packer.DecodeConfig(&c, raws...)
}

func (stamp) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	f, err := os.OpenFile(a.Files()[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fmt.Fprintf(f, "stamped by pid %d\n", os.Getpid())
	return a, true, nil
}

type artifact struct{ file string }

func (a *artifact) BuilderId() string { return "test.duo" }
func (a *artifact) Files() []string   { return []string{a.file} }
func (a *artifact) Id() string        { return a.file }
func (a *artifact) String() string    { return "duo file " + a.file }
func (a *artifact) State(string) any  { return nil }
func (a *artifact) Destroy() error    { return nil }

// version is what describe reports; tests stamp other versions with
// -ldflags "-X main.version=...".
var version = "0.3.0"

func main() {
	set := plugin.NewSet(version)
	set.ShareProcess(os.Getenv("DUO_ISOLATE") == "")
	set.RegisterBuilder(plugin.DefaultName, func() packer.Builder { return new(builder) })
	set.RegisterPostProcessor("stamp", func() packer.PostProcessor { return stamp{} })
	set.Run()
}
