// Package file is Packer's file provisioner: it uploads files and
// directories into the machine being built through its communicator, or
// downloads them from it.
package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
)

// Config is the file provisioner's configuration, with Packer's keys.
type Config struct {
	// Source and Sources are what to copy: local paths when uploading,
	// remote paths when downloading. A directory source ending in "/"
	// copies its contents; without the slash, the directory itself.
	Source  string   `mapstructure:"source"`
	Sources []string `mapstructure:"sources"`
	// Content is uploaded as a file, instead of a source.
	Content string `mapstructure:"content"`
	// Destination is where to copy to; ending in "/" means "into this
	// directory".
	Destination string `mapstructure:"destination"`
	// Direction is "upload" (the default) or "download".
	Direction string `mapstructure:"direction"`
	// Generated says the source is made during the build, so it need not
	// exist when the template is validated.
	Generated bool `mapstructure:"generated"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Provisioner is the file provisioner. Its zero value is ready for Prepare.
type Provisioner struct {
	config Config
}

// Prepare reads and checks the configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	var errs *multierror.Error
	if c.Direction == "" {
		c.Direction = "upload"
	}
	if c.Direction != "upload" && c.Direction != "download" {
		errs = multierror.Append(errs, fmt.Errorf("direction: %q is neither \"upload\" nor \"download\"", c.Direction))
	}
	if c.Source != "" {
		c.Sources = append([]string{c.Source}, c.Sources...)
	}
	switch {
	case len(c.Sources) == 0 && c.Content == "":
		errs = multierror.Append(errs, errors.New("source, sources or content: one must be set"))
	case len(c.Sources) > 0 && c.Content != "":
		errs = multierror.Append(errs, errors.New("content cannot be combined with source or sources"))
	case c.Content != "" && c.Direction == "download":
		errs = multierror.Append(errs, errors.New("content can only be uploaded"))
	}
	if len(c.Sources) > 1 && !strings.HasSuffix(c.Destination, "/") {
		errs = multierror.Append(errs, errors.New(`destination: with several sources it must be a directory ending in "/"`))
	}
	if c.Destination == "" {
		errs = multierror.Append(errs, errors.New("destination: required"))
	} else if c.Direction == "download" {
		if err := packer.CheckOutputPath("destination", c.Destination); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if c.Direction == "upload" && !c.Generated {
		for _, s := range c.Sources {
			if _, err := os.Stat(s); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("source: %w (set \"generated\": true if the build makes it)", err))
			}
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return err
	}
	p.config = c
	return nil
}

// Provision copies the files.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	c := p.config
	if comm == nil {
		return errors.New(`the file provisioner needs a communicator, and this build has none (for the null builder, set "communicator": "local")`)
	}
	if c.Content != "" {
		ui.Say(fmt.Sprintf("Uploading content to %s", c.Destination))
		return comm.Upload(c.Destination, strings.NewReader(c.Content), nil)
	}
	for _, src := range c.Sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if c.Direction == "download" {
			err = p.download(ui, comm, src)
		} else {
			err = p.upload(ui, comm, src)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *Provisioner) upload(ui packer.Ui, comm packer.Communicator, src string) error {
	dst := p.config.Destination
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if info.IsDir() {
		ui.Say(fmt.Sprintf("Uploading directory %s => %s", src, dst))
		if err := comm.UploadDir(dst, src, nil); err != nil {
			return fmt.Errorf("uploading directory %s: %w", src, err)
		}
		return nil
	}
	if strings.HasSuffix(dst, "/") {
		dst += filepath.Base(src)
	}
	ui.Say(fmt.Sprintf("Uploading %s => %s", src, dst))
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer f.Close()
	if err := comm.Upload(dst, f, &info); err != nil {
		return fmt.Errorf("uploading %s: %w", src, err)
	}
	return nil
}

func (p *Provisioner) download(ui packer.Ui, comm packer.Communicator, src string) error {
	dst := p.config.Destination
	if strings.HasSuffix(src, "/") {
		ui.Say(fmt.Sprintf("Downloading directory %s => %s", src, dst))
		if err := comm.DownloadDir(src, dst, nil); err != nil {
			return fmt.Errorf("downloading directory %s: %w", src, err)
		}
		return nil
	}
	if strings.HasSuffix(dst, "/") {
		dst = filepath.Join(dst, filepath.Base(src))
	}
	ui.Say(fmt.Sprintf("Downloading %s => %s", src, dst))
	// Prepare checked the destination; these check it again as they open
	// it, so a symlink made since (by an earlier step, or while an earlier
	// source downloaded) cannot take the write outside.
	if err := packer.MkdirOutput("destination", filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := packer.OpenOutput("destination", dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := comm.Download(src, f); err != nil {
		f.Close()
		packer.RemoveOutput("destination", dst)
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	return f.Close()
}
