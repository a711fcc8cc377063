// Package rootfs builds a root filesystem: a directory tree that starts
// from a source directory or tar archive (or from nothing), is provisioned
// through a communicator confined to the tree (communicator/tree: files
// resolve inside it, and commands run isolated in it, never on this
// machine), and is written out as a directory or as a tar archive, plain
// or compressed, that `docker import`, systemd-nspawn or plain tar can use.
package rootfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/communicator/tree"
	"github.com/packer-classic/packer/internal/archive"
	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies rootfs artifacts.
const BuilderId = "packer-classic.rootfs"

// Config is the rootfs builder's configuration.
type Config struct {
	// Source is a directory, or a tar archive (.tar, or compressed as
	// internal/archive reads: .tar.gz/.tgz, .tar.zst, .tar.xz, ...), to
	// start from; empty starts from an empty tree.
	Source string `mapstructure:"source"`
	// OutputDirectory receives the tree and the archive (default
	// output-BUILDNAME); it must not exist, unless -force.
	OutputDirectory string `mapstructure:"output_directory"`
	// Format is dir (the default) or a tar format: tar, tar.gz, tar.zst,
	// tar.xz, tar.bz2, tar.lz4, tar.bgzf or a short name (tgz, ...).
	Format string `mapstructure:"format"`
	// Chroot is deprecated and ignored: commands always run isolated in
	// the tree. It is accepted, with a warning, so older templates work.
	Chroot *bool `mapstructure:"chroot"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Builder is the rootfs builder. Its zero value is ready for Prepare.
type Builder struct {
	config Config
	format archive.Format // of the output, unless Format is dir
}

// Prepare reads and checks the configuration.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	var errs *multierror.Error
	var warnings []string
	if c.OutputDirectory == "" {
		c.OutputDirectory = "output-" + c.PackerBuildName
		if c.PackerBuildName == "" {
			c.OutputDirectory = "output-rootfs"
		}
	}
	if c.Format == "" {
		c.Format = "dir"
	}
	if err := packer.CheckOutputPath("output_directory", c.OutputDirectory); err != nil {
		errs = multierror.Append(errs, err)
	}
	var format archive.Format
	if c.Format != "dir" {
		f, err := archive.ParseFormat(c.Format)
		if err != nil || f.Container != archive.Tar {
			errs = multierror.Append(errs, fmt.Errorf("format: %q is not one of dir, %s", c.Format, strings.Join(tarFormats(), ", ")))
		}
		format = f
	}
	if c.Source != "" {
		info, err := os.Stat(c.Source)
		switch {
		case err != nil:
			errs = multierror.Append(errs, fmt.Errorf("source: %w", err))
		case info.IsDir():
		case !isTar(c.Source):
			errs = multierror.Append(errs, fmt.Errorf("source: %s is neither a directory nor a tar archive (%s)", c.Source, strings.Join(tarFormats(), ", ")))
		}
	}
	if c.Chroot != nil {
		warnings = append(warnings, `rootfs: "chroot" is deprecated and ignored: commands always run isolated in the tree (see docs/builders/rootfs.md); remove the key`)
	}
	if err := errs.ErrorOrNil(); err != nil {
		return warnings, err
	}
	b.config, b.format = c, format
	return warnings, nil
}

// tarFormats are the names of the tar formats internal/archive reads and
// writes.
func tarFormats() []string {
	var names []string
	for _, name := range archive.FormatNames() {
		if f, err := archive.ParseFormat(name); err == nil && f.Container == archive.Tar {
			names = append(names, name)
		}
	}
	return names
}

// tarFormat is the format of the archive named name, by its extension.
func tarFormat(name string) (archive.Format, bool) {
	for _, ext := range tarFormats() {
		if strings.HasSuffix(name, "."+ext) {
			f, _ := archive.ParseFormat(ext)
			return f, true
		}
	}
	return archive.Format{}, false
}

func isTar(name string) bool {
	_, ok := tarFormat(name)
	return ok
}

// Run makes the tree, makes sure commands can run isolated in it, runs the
// provisioners in it, and writes the output. A build that fails removes
// its output directory.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (artifact packer.Artifact, err error) {
	c := b.config
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := c.OutputDirectory
	if err := packer.ClaimOutputDirectory(ui, "output_directory", out, c.PackerForce); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && c.PackerOnError != "abort" {
			os.RemoveAll(out)
		}
	}()
	treeDir := filepath.Join(out, "rootfs")
	if err := packer.MkdirOutput("output_directory", treeDir, 0o755); err != nil {
		return nil, err
	}

	switch {
	case c.Source == "":
		ui.Say("Starting from an empty tree")
	case isTar(c.Source):
		ui.Say(fmt.Sprintf("Unpacking %s", c.Source))
		if err := unpack(ctx, ui, c.Source, treeDir); err != nil {
			return nil, err
		}
	default:
		ui.Say(fmt.Sprintf("Copying %s", c.Source))
		if err := copyTree(ctx, ui, c.Source, treeDir); err != nil {
			return nil, err
		}
	}

	comm := &tree.Communicator{Root: treeDir}
	how, err := comm.Check()
	if err != nil {
		return nil, fmt.Errorf("rootfs: %w", err)
	}
	ui.Say("Commands run isolated in the tree, in " + how)
	if err := hook.Run(ctx, packer.HookProvision, ui, comm, map[string]any{"ID": "rootfs", "Tree": treeDir}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	a := &Artifact{tree: treeDir}
	if c.Format == "dir" {
		a.files, err = listFiles(treeDir)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	path := filepath.Join(out, "rootfs."+c.Format)
	ui.Say(fmt.Sprintf("Writing %s", path))
	if err := pack(ctx, treeDir, path, b.format); err != nil {
		return nil, err
	}
	a.files = []string{path}
	return a, nil
}

func listFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// pack writes the tree at dir to an archive at path: every kind of entry
// (devices and hard links too), owners by number, as a root filesystem
// means them.
func pack(ctx context.Context, dir, path string, format archive.Format) error {
	w, err := archive.Create("output_directory", path, format, archive.Options{NumericOwners: true})
	if err != nil {
		return err
	}
	defer w.Abort() // nothing once Close succeeded
	if err := w.AddTree(ctx, dir); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return w.Close()
}

// Artifact is the built tree and, for archive formats, the archive.
type Artifact struct {
	tree  string
	files []string
}

// BuilderId is the rootfs builder's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files are the archive, or for the dir format every file of the tree.
func (a *Artifact) Files() []string { return a.files }

// Id is the tree's path.
func (a *Artifact) Id() string { return a.tree }

// String describes the artifact.
func (a *Artifact) String() string {
	if len(a.files) == 1 && !strings.HasPrefix(a.files[0], a.tree+string(filepath.Separator)) {
		return fmt.Sprintf("Root filesystem %s, archived as %s", a.tree, a.files[0])
	}
	return fmt.Sprintf("Root filesystem in %s (%d files)", a.tree, len(a.files))
}

// State("tree") is the tree's path.
func (a *Artifact) State(name string) any {
	if name == "tree" {
		return a.tree
	}
	return nil
}

// Destroy removes the output directory.
func (a *Artifact) Destroy() error {
	return os.RemoveAll(filepath.Dir(a.tree))
}
