// Package shelllocal is Packer's shell-local post-processor: it runs
// commands on the machine running packer after a build, and passes the
// artifact on unchanged.
package shelllocal

import (
	"context"
	"strings"

	"github.com/packer-classic/packer/internal/localshell"
	"github.com/packer-classic/packer/packer"
)

// Config is the shell-local provisioner's configuration plus
// keep_input_artifact.
type Config struct {
	localshell.Config `mapstructure:",squash"`
	// KeepInputArtifact is read by the core; accepted here so that it is
	// not an unknown key.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`
}

// PostProcessor is the shell-local post-processor. Its zero value is ready
// for Prepare.
type PostProcessor struct {
	config Config
}

// Prepare reads and checks the configuration.
func (p *PostProcessor) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	if err := c.Check(); err != nil {
		return err
	}
	p.config = c
	return nil
}

// PostProcess runs the commands and returns the artifact it was given, kept,
// as Packer's shell-local does. The commands see the artifact in their
// environment: PACKER_ARTIFACT_ID, PACKER_ARTIFACT_BUILDER_ID and
// PACKER_ARTIFACT_FILES (the files, separated by spaces).
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	config := p.config.Config
	if a != nil {
		config.ExtraEnv = []string{
			"PACKER_ARTIFACT_ID=" + a.Id(),
			"PACKER_ARTIFACT_BUILDER_ID=" + a.BuilderId(),
			"PACKER_ARTIFACT_FILES=" + strings.Join(a.Files(), " "),
		}
	}
	if err := localshell.Run(ctx, ui, &config); err != nil {
		return nil, false, err
	}
	return a, true, nil
}
