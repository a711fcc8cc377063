// Package artifice is Packer's artifice post-processor: it replaces the
// build's artifact with one made of the files a template names, so that the
// post-processors after it work on files a provisioner downloaded.
package artifice

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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

// PostProcess returns an artifact of the files that the configured
// patterns match (filepath.Glob; a plain name matches itself when it
// exists), in order, and keeps its input, as Packer's artifice does. A
// pattern that matches nothing adds nothing, as in Packer, and is warned
// about: it is usually a file the build did not make.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if a != nil && len(a.Files()) > 0 {
		ui.Say(fmt.Sprintf("Discarding files from artifact: %s", strings.Join(a.Files(), ", ")))
	}
	var files []string
	for _, pattern := range p.config.Files {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return nil, false, fmt.Errorf("files: %q: %w", pattern, err)
		}
		if len(matches) == 0 {
			ui.Error(fmt.Sprintf("Warning: files: %q matches no file; the artifact does not include it", pattern))
		}
		files = append(files, matches...)
	}
	ui.Say(fmt.Sprintf("Using these artifact files: %s", strings.Join(files, ", ")))
	return &packer.FilesArtifact{BuilderID: BuilderId, Paths: files}, true, nil
}
