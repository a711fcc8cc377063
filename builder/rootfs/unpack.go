package rootfs

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/packer-classic/packer/communicator/tree"
	"github.com/packer-classic/packer/internal/archive"
	"github.com/packer-classic/packer/packer"
)

// unpack extracts the tar archive at source into dir (see extract).
func unpack(ctx context.Context, ui packer.Ui, source, dir string) error {
	format, _ := tarFormat(source)
	f, err := os.Open(source)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer f.Close()
	r, err := archive.NewDecompressor(f, format.Compression)
	if err != nil {
		return fmt.Errorf("source %s: %w", source, err)
	}
	defer r.Close()
	return extract(ctx, ui, r, source, dir)
}

// copyTree copies the directory src into dir as a tar of it would be
// extracted, streamed from internal/archive's writer to extract: the same
// entries kept, the same way.
func copyTree(ctx context.Context, ui packer.Ui, src, dir string) error {
	pr, pw := io.Pipe()
	written := make(chan struct{})
	go func() {
		defer close(written)
		w, err := archive.NewWriter(pw, archive.Format{Container: archive.Tar, Compression: archive.NoCompression}, archive.Options{})
		if err == nil {
			if err = w.AddTree(ctx, src); err == nil {
				err = w.Close()
			}
		}
		pw.CloseWithError(err)
	}()
	err := extract(ctx, ui, pr, src, dir)
	pr.CloseWithError(errors.New("the copy stopped")) // ends the writer, if extract stopped early
	<-written
	return err
}

// extract extracts the tar stream r (from source) into dir, as tar does
// for a root filesystem: every entry replaces what is at its name, paths
// resolve inside the tree as communicator/tree resolves them (an entry
// that would land outside is refused), and modes (setuid, setgid and
// sticky bits included), modification times, symlinks, hard links, FIFOs
// and, when packer runs as root, owners and device nodes are kept. Devices
// that cannot be made (packer is not root) are left out, and said so on
// ui.
func extract(ctx context.Context, ui packer.Ui, r io.Reader, source, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	u := &unpacker{root: root, asRoot: os.Geteuid() == 0}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("source %s: %w", source, err)
		}
		if err := u.entry(hdr, tr); err != nil {
			return fmt.Errorf("source %s: entry %s: %w", source, hdr.Name, err)
		}
	}
	if err := u.finish(); err != nil {
		return fmt.Errorf("source %s: %w", source, err)
	}
	if u.devicesLeftOut > 0 {
		ui.Say(fmt.Sprintf("Left out %d device nodes of %s: making them needs root (commands in the tree get a /dev of their own)", u.devicesLeftOut, source))
	}
	return nil
}

type unpacker struct {
	root           *os.Root
	asRoot         bool
	dirs           []*tar.Header // their times are set last
	devicesLeftOut int
}

func (u *unpacker) entry(hdr *tar.Header, content io.Reader) error {
	rel, err := tree.Rel(hdr.Name)
	if err != nil {
		return err
	}
	if rel == "." {
		return nil
	}
	if _, err := tree.MkdirAll(u.root, path.Dir(rel), 0o755); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeDir {
		// Its mode and time come last: a read-only directory (Debian's
		// /proc is 0555) must take its entries first.
		if rel, err = tree.MkdirAll(u.root, rel, 0o700); err != nil {
			return err
		}
		u.dirs = append(u.dirs, hdr)
		return u.owner(rel, hdr, nil)
	}
	if rel, err = tree.ResolveParent(u.root, rel); err != nil {
		return err
	}
	if info, err := u.root.Lstat(rel); err == nil && !info.IsDir() {
		if err := u.root.Remove(rel); err != nil {
			return err
		}
	}
	switch hdr.Typeflag {
	case tar.TypeReg:
		if err := tree.WriteFile(u.root, rel, content, 0o600); err != nil {
			return err
		}
	case tar.TypeSymlink:
		return u.owner(rel, hdr, u.root.Symlink(hdr.Linkname, rel))
	case tar.TypeLink:
		target, err := tree.ResolveParent(u.root, hdr.Linkname)
		if err != nil {
			return fmt.Errorf("hard link to %s: %w", hdr.Linkname, err)
		}
		return u.root.Link(target, rel) // one file: its mode, owner and times are the target's
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		err := makeNode(u.root, rel, hdr)
		if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, fs.ErrPermission) && hdr.Typeflag != tar.TypeFifo {
			u.devicesLeftOut++
			return nil
		}
		if err != nil {
			return err
		}
	default:
		return nil // PAX and GNU extension headers are read by archive/tar itself; nothing else holds files
	}
	return u.keep(rel, hdr)
}

// keep gives the entry at rel its owner (as root), then its mode (after
// the owner: chown clears the setuid bit) and modification time.
func (u *unpacker) keep(rel string, hdr *tar.Header) error {
	if err := u.owner(rel, hdr, nil); err != nil {
		return err
	}
	if err := u.root.Chmod(rel, modeOf(hdr)); err != nil {
		return err
	}
	return u.root.Chtimes(rel, hdr.ModTime, hdr.ModTime)
}

// modeOf is the permission bits of an entry, setuid, setgid and sticky
// included.
func modeOf(hdr *tar.Header) fs.FileMode {
	return hdr.FileInfo().Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

// owner gives the entry at rel the header's owner when packer runs as
// root, once made is nil (the entry was made).
func (u *unpacker) owner(rel string, hdr *tar.Header, made error) error {
	if made != nil || !u.asRoot {
		return made
	}
	return u.root.Lchown(rel, hdr.Uid, hdr.Gid)
}

// finish gives the directories their modes and modification times, the
// last entries first (a directory's entries follow it in a tar), once
// nothing is added to them any more.
func (u *unpacker) finish() error {
	for i := len(u.dirs) - 1; i >= 0; i-- {
		hdr := u.dirs[i]
		rel, err := tree.Resolve(u.root, hdr.Name)
		if err == nil {
			err = u.root.Chmod(rel, modeOf(hdr))
		}
		if err == nil {
			err = u.root.Chtimes(rel, hdr.ModTime, hdr.ModTime)
		}
		if err != nil {
			return fmt.Errorf("directory %s: %w", hdr.Name, err)
		}
	}
	return nil
}
