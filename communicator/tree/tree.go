package tree

import (
	"context"
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

// Communicator works inside the tree at Root. Set Root and use it; it is
// safe for concurrent use, and must not be copied once used.
type Communicator struct {
	// Root is the tree's directory on this machine.
	Root string
	// Env is added to every command's environment.
	Env []string

	isolation isolation
}

var _ packer.Communicator = (*Communicator)(nil)

func (c *Communicator) open() (*os.Root, error) {
	root, err := os.OpenRoot(c.Root)
	if err != nil {
		return nil, fmt.Errorf("opening the build's tree: %w", err)
	}
	return root, nil
}

// Start runs the command isolated in the tree (see the package doc) and
// returns once it runs; a failure to isolate it, or a tree without the
// command's shell, is Start's error. The command's output goes to rc's
// writers as it comes, and rc.SetExited is called with its status (128+N
// for a command killed by signal N) once it exited and all of its output
// was written. Cancelling ctx kills the command and everything it started.
func (c *Communicator) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	return c.start(ctx, rc)
}

// Upload writes src to dst inside the tree, making dst's missing
// directories; fi, when given, sets the file's mode (0644 otherwise).
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
	dir, err := MkdirAll(root, path.Dir(rel), 0o755)
	if err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	target, err := Resolve(root, path.Join(dir, path.Base(rel)))
	if err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	if err := WriteFile(root, target, src, mode); err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	return nil
}

// Download copies src from inside the tree to dst.
func (c *Communicator) Download(src string, dst io.Writer) error {
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	rel, err := Resolve(root, src)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	f, err := root.Open(rel)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", src, pathError(src, err))
	}
	defer f.Close()
	if _, err := io.CopyBuffer(dst, f, make([]byte, 256<<10)); err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	return nil
}

// UploadDir copies the local directory src into dst inside the tree, with
// Packer's trailing-slash rule; symlinks are copied as symlinks, and a
// symlink already in the tree on the way is followed as Resolve does.
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
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
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
			_, err := MkdirAll(root, target, info.Mode().Perm()|0o700)
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return Symlink(root, link, target)
		case info.Mode().IsRegular():
			resolved, err := Resolve(root, target)
			if err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return WriteFile(root, resolved, f, info.Mode().Perm())
		}
		return nil // a FIFO or a device: no content to copy
	})
	if err != nil {
		return fmt.Errorf("uploading %s to %s: %w", src, dst, err)
	}
	return nil
}

// DownloadDir copies src from inside the tree to the local directory dst,
// with Packer's trailing-slash rule. src is resolved as Resolve does;
// symlinks below it are not copied: they mean a path inside the tree,
// which they would no longer mean here. Every write stays inside dst (see
// local.DownloadInto).
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
	resolved, err := Resolve(root, rel)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	if err := local.DownloadInto(dst, top, root.FS(), resolved, exclude, false); err != nil {
		return pathError(src, err)
	}
	return nil
}
