// Package file is Packer's file builder: it writes a file, from inline
// content or by copying a source, and the file is the artifact. It is quick,
// and useful for testing post-processors.
package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies the file builder's artifacts, as in Packer.
const BuilderId = "packer.file"

// Config is the file builder's configuration.
type Config struct {
	// Source is a file to copy to Target.
	Source string `mapstructure:"source"`
	// Content is written to Target when there is no Source.
	Content string `mapstructure:"content"`
	// Target is the file to write (required).
	Target string `mapstructure:"target"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Builder is the file builder. Its zero value is ready for Prepare.
type Builder struct {
	config Config
}

// Prepare reads and checks the configuration.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	var errs *multierror.Error
	var warnings []string
	if c.Target == "" {
		errs = multierror.Append(errs, errors.New("target: required; it is the file to write"))
	}
	if c.Source != "" && c.Content != "" {
		errs = multierror.Append(errs, errors.New("source and content: set one or the other, not both"))
	}
	if c.Source != "" {
		if _, err := os.Stat(c.Source); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("source: %w", err))
		}
	}
	if c.Source == "" && c.Content == "" {
		warnings = append(warnings, "neither source nor content is set: the target will be empty")
	}
	if err := errs.ErrorOrNil(); err != nil {
		return warnings, err
	}
	b.config = c
	return warnings, nil
}

// Run writes the target, runs the provision hook, and returns the file. As
// in Packer, content is written with mode 0600 (it may be a secret) and a
// copied source gets the usual 0666 less the umask; an existing target
// keeps its mode. Relative targets stay under the working directory.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	c := b.config
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dir := filepath.Dir(c.Target); dir != "." {
		if err := packer.MkdirOutput("target", dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the directory of target %s: %w", c.Target, err)
		}
	}
	if c.Source != "" {
		ui.Say(fmt.Sprintf("Copying %s to %s", c.Source, c.Target))
		if err := copyFile(c.Target, c.Source); err != nil {
			return nil, err
		}
	} else {
		ui.Say(fmt.Sprintf("Writing content to %s", c.Target))
		if err := writeFile(c.Target, []byte(c.Content), contentMode); err != nil {
			return nil, err
		}
	}
	// A failed provisioning leaves the file in place, as Packer's file
	// builder does, whatever -on-error says.
	if err := hook.Run(ctx, packer.HookProvision, ui, nil, nil); err != nil {
		return nil, err
	}
	return &Artifact{Path: c.Target}, nil
}

// contentMode is the mode Packer's file builder writes content with.
const contentMode = 0o600

// writeFile writes data to the target at path, created with perm when it
// does not exist.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := packer.OpenOutput("target", path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("writing target: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing target %s: %w", path, err)
	}
	return f.Close()
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("reading source: %w", err)
	}
	defer in.Close()
	out, err := packer.OpenOutput("target", dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("writing target: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return out.Close()
}

// Artifact is the written file.
type Artifact struct {
	Path string
}

// BuilderId is the file builder's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files is the one file.
func (a *Artifact) Files() []string { return []string{a.Path} }

// Id is "File", as in Packer.
func (*Artifact) Id() string { return "File" }

// String names the file.
func (a *Artifact) String() string { return "Stored file: " + a.Path }

// State has nothing.
func (*Artifact) State(name string) any { return nil }

// Destroy removes the file.
func (a *Artifact) Destroy() error { return os.Remove(a.Path) }
