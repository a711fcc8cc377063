// Package tree is a packer.Communicator confined to a directory tree, the
// root filesystem a rootfs build makes. Paths are inside the tree ("/etc"
// is ROOT/etc); a path with ".." and any symlink that leads out of the tree
// are refused before anything is read or written. Commands run with the
// tree as their working directory, or chrooted into it when packer runs as
// root and Chroot is set.
package tree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

// Communicator works inside the tree at Root.
type Communicator struct {
	Root string
	// Chroot runs commands chrooted into the tree (needs root; Linux and
	// other Unix systems).
	Chroot bool
	// Env is added to every command's environment.
	Env []string
}

var _ packer.Communicator = (*Communicator)(nil)

// ErrEscape is the error (tested with errors.Is) of a path that would leave
// the tree.
var ErrEscape = errors.New("the path leaves the build's tree")

// Rel turns a path inside the tree into a clean path relative to its root,
// refusing "..", NUL bytes and empty paths.
func Rel(p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%q: a path cannot hold a NUL byte", p)
	}
	p = filepath.ToSlash(p)
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("%q: %w (\"..\" is not allowed)", p, ErrEscape)
		}
	}
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if rel == "" {
		rel = "."
	}
	return rel, nil
}

func (c *Communicator) open() (*os.Root, error) {
	root, err := os.OpenRoot(c.Root)
	if err != nil {
		return nil, fmt.Errorf("opening the build's tree: %w", err)
	}
	return root, nil
}

// escapeError names the path when os.Root refused it.
func escapeError(p string, err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%q: %w (through a symlink)", p, ErrEscape)
	}
	return err
}

// MkdirAll makes dir and its parents inside root.
func MkdirAll(root *os.Root, dir string, mode fs.FileMode) error {
	if dir == "." || dir == "" {
		return nil
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		info, err := root.Stat(sub)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("%q is not a directory", sub)
			}
			continue
		}
		if err := root.Mkdir(sub, mode); err != nil && !errors.Is(err, fs.ErrExist) {
			return escapeError(sub, err)
		}
	}
	return nil
}

// Start runs the command in the tree.
func (c *Communicator) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	cmd := local.Command(ctx, "/bin/sh", "-c", rc.Command)
	cmd.Dir = c.Root
	if c.Chroot {
		if err := chroot(cmd.Cmd, c.Root); err != nil {
			return err
		}
	}
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = rc.Stdin, rc.Stdout, rc.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %q in the tree: %w", rc.Command, err)
	}
	go func() { rc.SetExited(packer.ExitStatusOf(cmd.Wait())) }()
	return nil
}

// Upload writes src to dst inside the tree.
func (c *Communicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	rel, err := Rel(dst)
	if err != nil {
		return err
	}
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	mode := fs.FileMode(0o644)
	if fi != nil && *fi != nil {
		mode = (*fi).Mode().Perm()
	}
	if err := MkdirAll(root, path.Dir(rel), 0o755); err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	return WriteFile(root, rel, src, mode)
}

// WriteFile writes r to rel inside root with mode, refusing escapes.
func WriteFile(root *os.Root, rel string, r io.Reader, mode fs.FileMode) error {
	return escapeError(rel, local.WriteFile(root, rel, r, mode))
}

// Download copies src from inside the tree to dst.
func (c *Communicator) Download(src string, dst io.Writer) error {
	rel, err := Rel(src)
	if err != nil {
		return err
	}
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := root.Open(rel)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", src, escapeError(src, err))
	}
	defer f.Close()
	_, err = io.CopyBuffer(dst, f, make([]byte, 256<<10))
	return err
}

// UploadDir copies the local directory src into dst inside the tree, with
// Packer's trailing-slash rule; symlinks are copied as symlinks.
func (c *Communicator) UploadDir(dst, src string, exclude []string) error {
	rel, err := Rel(dst)
	if err != nil {
		return err
	}
	if !strings.HasSuffix(src, "/") {
		rel = path.Join(rel, filepath.Base(src))
	}
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	src = filepath.Clean(src)
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		sub, _ := filepath.Rel(src, p)
		if sub != "." && local.Excluded(sub, exclude) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := path.Join(rel, filepath.ToSlash(sub))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return MkdirAll(root, target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return Symlink(root, c.Root, link, target)
		default:
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return WriteFile(root, target, f, info.Mode().Perm())
		}
	})
}

// Symlink makes a symlink at rel inside the tree, once its parent is known
// to be inside.
func Symlink(root *os.Root, rootPath, link, rel string) error {
	parent := path.Dir(rel)
	if info, err := root.Stat(parent); err != nil || !info.IsDir() {
		return fmt.Errorf("symlink %s: its directory %q is not in the tree: %w", rel, parent, escapeError(parent, err))
	}
	full := filepath.Join(rootPath, filepath.FromSlash(rel))
	os.Remove(full)
	return os.Symlink(link, full)
}

// DownloadDir copies src from inside the tree to the local directory dst,
// with Packer's trailing-slash rule. Symlinks are not copied: they mean a
// path inside the tree, which they would no longer mean here. Every write
// stays inside dst (see local.DownloadInto).
func (c *Communicator) DownloadDir(src, dst string, exclude []string) error {
	rel, err := Rel(src)
	if err != nil {
		return err
	}
	top := "."
	if !strings.HasSuffix(src, "/") {
		top = path.Base(rel)
	}
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	if err := local.DownloadInto(dst, top, root.FS(), rel, exclude, false); err != nil {
		return escapeError(src, err)
	}
	return nil
}
