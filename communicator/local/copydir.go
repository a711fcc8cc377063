package local

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/packer-classic/packer/packer"
)

// ErrOutsideDestination is the error (tested with errors.Is) of a download
// that would write outside its destination directory, through a symlink
// found there.
var ErrOutsideDestination = errors.New("it would be written outside the download's destination, through a symlink")

// TreeWriter is where a directory copy writes, by slash-separated names: an
// *os.Root, for a download, which keeps every write inside the destination
// whatever symlinks it holds; or a plain directory, for an upload, which
// goes wherever the user points it.
type TreeWriter interface {
	MkdirAll(name string, perm fs.FileMode) error
	OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	Remove(name string) error
	Symlink(oldname, newname string) error
	Chmod(name string, mode fs.FileMode) error
	Chtimes(name string, atime, mtime time.Time) error
}

// plainDir writes below a directory through ordinary paths.
type plainDir string

func (d plainDir) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

func (d plainDir) MkdirAll(name string, perm fs.FileMode) error {
	return os.MkdirAll(d.path(name), perm)
}
func (d plainDir) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(d.path(name), flag, perm)
}
func (d plainDir) Remove(name string) error              { return os.Remove(d.path(name)) }
func (d plainDir) Symlink(oldname, newname string) error { return os.Symlink(oldname, d.path(newname)) }
func (d plainDir) Chmod(name string, mode fs.FileMode) error {
	return os.Chmod(d.path(name), mode)
}
func (d plainDir) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(d.path(name), atime, mtime)
}

// CopyDir copies a directory tree with Packer's trailing-slash rule (see
// UploadDir), keeping file modes, modification times and symlinks. It
// writes through plain paths: it is for uploads, to where the user said.
func CopyDir(dst, src string, exclude []string) error {
	return CopyTree(plainDir(dst), slashBase(src), os.DirFS(filepath.Clean(src)), ".", exclude, true)
}

// DownloadInto copies the directory srcDir of src into top (a
// slash-separated path, "." for dst itself) under dst, a local directory a
// download writes. dst is made if need be and opened as an os.Root
// (confined to the working directory when relative, see
// packer.OpenOutputRoot), and every write goes through it: a symlink
// already in dst, planted or left by an earlier download, cannot take a
// write outside it.
func DownloadInto(dst, top string, src fs.FS, srcDir string, exclude []string, keepSymlinks bool) error {
	root, err := packer.OpenOutputRoot("destination", dst, 0o755)
	if err != nil {
		return err
	}
	defer root.Close()
	err = CopyTree(root, top, src, srcDir, exclude, keepSymlinks)
	if errors.Is(err, ErrOutsideDestination) {
		return fmt.Errorf("destination %s: %w", dst, err)
	}
	return err
}

// slashBase is where src goes under the destination by the trailing-slash
// rule: "." for "src/", "src" for "src".
func slashBase(src string) string {
	if strings.HasSuffix(src, "/") || strings.HasSuffix(src, string(filepath.Separator)) {
		return "."
	}
	return filepath.Base(src)
}

// CopyTree copies the directory srcDir of src to dstDir in w, keeping file
// modes and modification times, and symlinks when keepSymlinks is set;
// paths matching an exclude pattern (see Excluded) are skipped, and so are
// files that are neither regular nor directories (a FIFO, a device), whose
// content cannot be copied.
func CopyTree(w TreeWriter, dstDir string, src fs.FS, srcDir string, exclude []string, keepSymlinks bool) error {
	info, err := fs.Stat(src, srcDir)
	if err != nil {
		return fmt.Errorf("copying directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("copying directory: %s is not a directory", srcDir)
	}
	type dirTime struct {
		name string
		info fs.FileInfo
	}
	var dirs []dirTime
	err = fs.WalkDir(src, srcDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := ""
		switch {
		case p == srcDir:
		case srcDir == ".":
			rel = p
		default:
			rel = strings.TrimPrefix(p, srcDir+"/")
		}
		if rel != "" && Excluded(rel, exclude) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := path.Join(dstDir, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, dirTime{target, info})
			return confined(target, w.MkdirAll(target, info.Mode().Perm()|0o700))
		case info.Mode()&fs.ModeSymlink != 0:
			if !keepSymlinks {
				return nil
			}
			link, err := fs.ReadLink(src, p)
			if err != nil {
				return err
			}
			w.Remove(target)
			return confined(target, w.Symlink(link, target))
		case info.Mode().IsRegular():
			if err := copyFile(w, target, src, p, info.Mode().Perm()); err != nil {
				return err
			}
			return confined(target, w.Chtimes(target, info.ModTime(), info.ModTime()))
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Directories get their modes and times last, once their contents no
	// longer change them.
	for i := len(dirs) - 1; i >= 0; i-- {
		w.Chmod(dirs[i].name, dirs[i].info.Mode().Perm())
		w.Chtimes(dirs[i].name, dirs[i].info.ModTime(), dirs[i].info.ModTime())
	}
	return nil
}

func copyFile(w TreeWriter, dst string, src fs.FS, name string, mode fs.FileMode) error {
	in, err := src.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	return confined(dst, WriteFile(w, dst, in, mode))
}

// WriteFile writes r to name in w, with mode whatever the umask. The
// errors of w's operations are returned as they are.
func WriteFile(w TreeWriter, name string, r io.Reader, mode fs.FileMode) error {
	out, err := w.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(out, r, make([]byte, 256<<10)); err != nil {
		out.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// confined names the path when an os.Root refused to write through a
// symlink leading out of it.
func confined(name string, err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%s: %w", name, ErrOutsideDestination)
	}
	return err
}
