// Command packer-builder-hello is an example third-party builder: it writes
// a greeting to a file, lets provisioners run in the file's directory, and
// returns the file as its artifact.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// Config is what a template sets for this builder.
type Config struct {
	Greeting string `mapstructure:"greeting"`
	Output   string `mapstructure:"output"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Builder is the hello builder.
type Builder struct{ config Config }

// Prepare reads the configuration and says what is wrong with it.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	if c.Output == "" {
		return nil, errors.New("output: required; the file to write the greeting to")
	}
	if c.Greeting == "" {
		c.Greeting = "hello"
	}
	b.config = c
	return nil, nil
}

// Run writes the greeting and runs the provisioners next to it.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // cancelled before it began: make nothing
	}
	ui.Say(fmt.Sprintf("Writing %q to %s", b.config.Greeting, b.config.Output))
	if err := os.WriteFile(b.config.Output, []byte(b.config.Greeting+"\n"), 0o644); err != nil {
		return nil, err
	}
	comm := &local.Communicator{Dir: filepath.Dir(b.config.Output)}
	artifact := &Artifact{file: b.config.Output}
	if err := hook.Run(ctx, packer.HookProvision, ui, comm, map[string]any{"ID": "hello"}); err != nil {
		artifact.Destroy() // provisioning failed or was cancelled: clean up
		return nil, err
	}
	return artifact, nil
}

// Artifact is the greeting file.
type Artifact struct{ file string }

// BuilderId names the plugin that made the artifact.
func (a *Artifact) BuilderId() string { return "example.hello" }

// Files are the artifact's files.
func (a *Artifact) Files() []string { return []string{a.file} }

// Id identifies the artifact.
func (a *Artifact) Id() string { return "hello" }

// String describes the artifact to users.
func (a *Artifact) String() string { return "A greeting in " + a.file }

// State has nothing to share.
func (a *Artifact) State(name string) any { return nil }

// Destroy removes what the artifact made.
func (a *Artifact) Destroy() error { return os.Remove(a.file) }

func main() { plugin.ServeBuilder(new(Builder)) }
