// Package artifice is Packer's artifice post-processor: it replaces the
// build's artifact with one made of the files a template names, so that the
// post-processors after it work on files a provisioner downloaded.
package artifice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies artifice's artifacts, as in Packer.
const BuilderId = "packer.post-processor.artifice"

// Config is the artifice post-processor's configuration.
type Config struct {
	// Files become the new artifact (required).
	Files []string `mapstructure:"files"`
	// KeepInputArtifact is read by the core.
	KeepInputArtifact *bool `mapstructure:"keep_input_artifact"`

	packer.PackerConfig `mapstructure:",squash"`
}

// PostProcessor is the artifice post-processor. Its zero value is ready for
// Prepare.
type PostProcessor struct {
	config Config
}

// Prepare reads and checks the configuration.
func (p *PostProcessor) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	if len(c.Files) == 0 {
		return errors.New("files: at least one file is required")
	}
	p.config = c
	return nil
}

// PostProcess returns an artifact of the configured files, which must exist.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	for _, f := range p.config.Files {
		if _, err := os.Stat(f); err != nil {
			return nil, false, fmt.Errorf("files: %w", err)
		}
	}
	ui.Say(fmt.Sprintf("Using these files as the artifact: %s", strings.Join(p.config.Files, ", ")))
	return &Artifact{files: p.config.Files}, false, nil
}

// Artifact is a set of files.
type Artifact struct{ files []string }

// BuilderId is artifice's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files are the files.
func (a *Artifact) Files() []string { return a.files }

// Id lists the files.
func (a *Artifact) Id() string { return strings.Join(a.files, ",") }

// String describes the artifact.
func (a *Artifact) String() string { return "Files: " + strings.Join(a.files, ", ") }

// State has nothing.
func (*Artifact) State(string) any { return nil }

// Destroy removes the files.
func (a *Artifact) Destroy() error {
	var errs []error
	for _, f := range a.files {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
