// Package rootfs builds a root filesystem: a directory tree that starts
// from a source directory or archive (or from nothing), is provisioned
// through a communicator confined to the tree, and is written out as a
// directory or as a tar, tar.gz or tar.zst archive that `docker import`,
// systemd-nspawn or plain tar can use.
package rootfs

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/communicator/tree"
	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies rootfs artifacts.
const BuilderId = "packer-classic.rootfs"

// Config is the rootfs builder's configuration.
type Config struct {
	// Source is a directory, or a .tar, .tar.gz/.tgz or .tar.zst archive,
	// to start from; empty starts from an empty tree.
	Source string `mapstructure:"source"`
	// OutputDirectory receives the tree and the archive (default
	// output-BUILDNAME); it must not exist, unless -force.
	OutputDirectory string `mapstructure:"output_directory"`
	// Format is dir (the default), tar, tar.gz or tar.zst.
	Format string `mapstructure:"format"`
	// Chroot runs provisioners' commands chrooted into the tree (as root).
	Chroot bool `mapstructure:"chroot"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Builder is the rootfs builder. Its zero value is ready for Prepare.
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
	switch c.Format {
	case "dir", "tar", "tar.gz", "tar.zst":
	default:
		errs = multierror.Append(errs, fmt.Errorf("format: %q is not one of dir, tar, tar.gz, tar.zst", c.Format))
	}
	if c.Source != "" {
		info, err := os.Stat(c.Source)
		switch {
		case err != nil:
			errs = multierror.Append(errs, fmt.Errorf("source: %w", err))
		case !info.IsDir() && archiveKind(c.Source) == "":
			errs = multierror.Append(errs, fmt.Errorf("source: %s is neither a directory nor a .tar, .tar.gz, .tgz or .tar.zst archive", c.Source))
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	b.config = c
	return nil, nil
}

func archiveKind(name string) string {
	switch {
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		return "tar.gz"
	case strings.HasSuffix(name, ".tar.zst"), strings.HasSuffix(name, ".tzst"):
		return "tar.zst"
	case strings.HasSuffix(name, ".tar"):
		return "tar"
	}
	return ""
}

// Run makes the tree, runs the provisioners in it, and writes the output.
// A build that fails removes its output directory.
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (artifact packer.Artifact, err error) {
	c := b.config
	out := c.OutputDirectory
	if _, err := os.Stat(out); err == nil {
		if !c.PackerForce {
			return nil, fmt.Errorf("output_directory %s already exists; remove it or run packer build -force", out)
		}
		ui.Say(fmt.Sprintf("Removing the existing output directory %s (-force)", out))
		if err := os.RemoveAll(out); err != nil {
			return nil, fmt.Errorf("removing output_directory: %w", err)
		}
	}
	treeDir := filepath.Join(out, "rootfs")
	if err := os.MkdirAll(treeDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output_directory: %w", err)
	}
	defer func() {
		if err != nil && c.PackerOnError != "abort" {
			os.RemoveAll(out)
		}
	}()

	switch {
	case c.Source == "":
		ui.Say("Starting from an empty tree")
	case archiveKind(c.Source) != "":
		ui.Say(fmt.Sprintf("Unpacking %s", c.Source))
		if err := unpack(c.Source, treeDir); err != nil {
			return nil, err
		}
	default:
		ui.Say(fmt.Sprintf("Copying %s", c.Source))
		if err := local.CopyDir(treeDir, c.Source+string(filepath.Separator), nil); err != nil {
			return nil, fmt.Errorf("copying source: %w", err)
		}
	}

	comm := &tree.Communicator{Root: treeDir, Chroot: c.Chroot}
	if err := hook.Run(ctx, packer.HookProvision, ui, comm, map[string]any{"ID": "rootfs", "Tree": treeDir}); err != nil {
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
	archive := filepath.Join(out, "rootfs."+c.Format)
	ui.Say(fmt.Sprintf("Writing %s", archive))
	if err := pack(ctx, treeDir, archive, c.Format); err != nil {
		return nil, err
	}
	a.files = []string{archive}
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

// unpack extracts a tar archive into dir, refusing entries that would land
// outside it; modes, mtimes, symlinks (and ownership when root) are kept.
func unpack(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	switch archiveKind(archive) {
	case "tar.gz":
		gz, err := pgzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("source %s: %w", archive, err)
		}
		defer gz.Close()
		r = gz
	case "tar.zst":
		zr, err := zstd.NewReader(f)
		if err != nil {
			return fmt.Errorf("source %s: %w", archive, err)
		}
		defer zr.Close()
		r = zr
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("source %s: %w", archive, err)
		}
		rel, err := tree.Rel(hdr.Name)
		if err != nil {
			return fmt.Errorf("source %s: entry %w", archive, err)
		}
		if rel == "." {
			continue
		}
		if err := tree.MkdirAll(root, path.Dir(rel), 0o755); err != nil {
			return fmt.Errorf("source %s: %s: %w", archive, hdr.Name, err)
		}
		full := filepath.Join(dir, filepath.FromSlash(rel))
		mode := hdr.FileInfo().Mode().Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := tree.MkdirAll(root, rel, mode|0o700); err != nil {
				return err
			}
			os.Chmod(full, mode)
		case tar.TypeSymlink:
			if err := tree.Symlink(root, dir, hdr.Linkname, rel); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := tree.WriteFile(root, rel, tr, mode); err != nil {
				return fmt.Errorf("source %s: %w", archive, err)
			}
		default:
			continue // devices, fifos and hard links are left out
		}
		keepOwnerAndTime(full, hdr)
	}
}

// pack writes the tree at dir into an archive of format, under a temporary
// name renamed when complete.
func pack(ctx context.Context, dir, archive, format string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(archive), ".rootfs-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	var closers []io.Closer
	switch format {
	case "tar.gz":
		gz := pgzip.NewWriter(tmp)
		w, closers = gz, append(closers, gz)
	case "tar.zst":
		zw, err := zstd.NewWriter(tmp)
		if err != nil {
			return err
		}
		w, closers = zw, append(closers, zw)
	}
	tw := tar.NewWriter(w)
	closers = append([]io.Closer{tw}, closers...)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		} else if !info.Mode().IsRegular() && !info.IsDir() {
			return nil
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.CopyBuffer(tw, f, make([]byte, 1<<20)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", archive, err)
	}
	for _, c := range closers {
		if err := c.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", archive, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), archive)
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
