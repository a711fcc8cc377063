// Package null is Packer's null builder: it builds nothing, and exists to run
// provisioners and post-processors. With "communicator": "local" the
// provisioners run on this machine; with "none" (the default) only
// provisioners that need no communicator, such as shell-local, can run.
package null

import (
	"context"
	"fmt"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies the null builder's artifacts, as in Packer.
const BuilderId = "fnoeding.null"

// Config is the null builder's configuration.
type Config struct {
	// Communicator is "none" or "local".
	Communicator string `mapstructure:"communicator"`
	// Dir is the working directory of a local communicator (default: the
	// directory packer runs in).
	Dir string `mapstructure:"local_dir"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Builder is the null builder. Its zero value is ready for Prepare.
type Builder struct {
	config Config
}

// Prepare reads the configuration.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	switch c.Communicator {
	case "":
		c.Communicator = "none"
	case "none", "local":
	case "ssh", "winrm":
		return nil, fmt.Errorf("communicator: %q is not available in this packer; use \"local\" to run provisioners on this machine, or \"none\"", c.Communicator)
	default:
		return nil, fmt.Errorf("communicator: unknown communicator %q; use \"local\" or \"none\"", c.Communicator)
	}
	b.config = c
	return nil, nil
}

// Run runs the provision hook and returns an empty artifact.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	var comm packer.Communicator
	if b.config.Communicator == "local" {
		comm = &local.Communicator{Dir: b.config.Dir}
	}
	// The build values the template reads with {{ build `ID` }}.
	data := map[string]any{"ID": "Null", "PackerRunUUID": ""}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := hook.Run(ctx, packer.HookProvision, ui, comm, data); err != nil {
		return nil, err
	}
	return &Artifact{}, nil
}

// Artifact is the null builder's artifact: nothing.
type Artifact struct{}

// BuilderId is the null builder's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files is empty.
func (*Artifact) Files() []string { return nil }

// Id is "Null", as in Packer.
func (*Artifact) Id() string { return "Null" }

// String says that nothing was built.
func (*Artifact) String() string { return "Did not export anything. This is the null builder" }

// State has nothing.
func (*Artifact) State(name string) any { return nil }

// Destroy has nothing to remove.
func (*Artifact) Destroy() error { return nil }
