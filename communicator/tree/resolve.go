package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/packer-classic/packer/communicator/local"
)

// ErrEscape is the error (tested with errors.Is) of a path that would leave
// the tree.
var ErrEscape = errors.New("the path leaves the build's tree")

// maxLinks bounds the symlinks one path may go through, as Linux's 40 does.
const maxLinks = 40

// Rel turns a path inside the tree into a clean path relative to its root,
// refusing "..", NUL bytes and empty paths. It follows no symlink: Resolve
// does.
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

// Resolve returns the path, relative to root, that p names inside the tree
// as a command chrooted in the tree sees it: every symlink on the way, the
// last element's included, is followed, an absolute one from the tree's
// root ("/run" is ROOT/run). The result holds no symlink, so os.Root opens
// it as it is. A symlink whose ".." would climb above the tree's root is
// ErrEscape (a chroot would stop at its root; a build is told instead). The
// last element may be missing; a missing directory before it is an error.
//
// Nothing checked here can be used to leave the tree: the caller opens the
// result through root, which refuses any symlink leading out of it, so a
// symlink planted between Resolve and the open makes the open fail, never
// reach outside.
func Resolve(root *os.Root, p string) (string, error) {
	return walk(root, p, walkOptions{followLast: true})
}

// ResolveParent is Resolve for the entry itself: the directory holding p is
// resolved, and p's last element is kept as it is, a symlink included. It
// is the name to make, replace or remove that entry by.
func ResolveParent(root *os.Root, p string) (string, error) {
	return walk(root, p, walkOptions{})
}

// MkdirAll makes dir and its missing parents inside root with mode (less
// the umask), following symlinks as Resolve does, and returns the resolved
// directory.
func MkdirAll(root *os.Root, dir string, mode fs.FileMode) (string, error) {
	return walk(root, dir, walkOptions{followLast: true, mkdir: true, mode: mode})
}

type walkOptions struct {
	followLast bool        // follow a symlink in the last element
	mkdir      bool        // make every missing directory, the last included
	mode       fs.FileMode // of the directories made
}

// walk resolves p in root element by element, as Resolve says.
func walk(root *os.Root, p string, o walkOptions) (string, error) {
	rel, err := Rel(p)
	if err != nil {
		return "", err
	}
	todo := elements(rel)
	var done []string
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		if name == ".." { // only from a symlink: Rel refused the caller's
			if len(done) == 0 {
				return "", fmt.Errorf("%q: %w (a symlink on the way goes above the tree's root)", p, ErrEscape)
			}
			done = done[:len(done)-1]
			continue
		}
		cur := path.Join(path.Join(done...), name)
		last := len(todo) == 0
		info, err := root.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			if o.mkdir {
				// Made here, or by someone else meanwhile.
				if err := root.Mkdir(cur, o.mode); err != nil && !errors.Is(err, fs.ErrExist) {
					return "", pathError(p, err)
				}
				info, err = root.Lstat(cur)
			} else if last {
				done = append(done, name)
				continue
			}
		}
		if err != nil {
			return "", pathError(p, err)
		}
		if info.Mode()&fs.ModeSymlink != 0 && (!last || o.followLast) {
			if links++; links > maxLinks {
				return "", fmt.Errorf("%q: %w", p, syscall.ELOOP)
			}
			target, err := root.Readlink(cur)
			if err != nil {
				return "", pathError(p, err)
			}
			if strings.HasPrefix(target, "/") {
				done = nil
			}
			todo = append(elements(target), todo...)
			continue
		}
		if !info.IsDir() && (!last || o.mkdir) {
			return "", fmt.Errorf("%q: /%s is not a directory", p, cur)
		}
		done = append(done, name)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return path.Join(done...), nil
}

// elements splits a slash-separated path into its elements, dropping empty
// ones and ".".
func elements(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." {
			out = append(out, e)
		}
	}
	return out
}

// pathError names the path, and says ErrEscape when os.Root refused it.
func pathError(p string, err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%q: %w (through a symlink)", p, ErrEscape)
	}
	return fmt.Errorf("%q: %w", p, err)
}

// WriteFile writes r to rel (a path Resolve returned) inside root with
// mode, whatever the umask; a symlink leading out of root is ErrEscape.
func WriteFile(root *os.Root, rel string, r io.Reader, mode fs.FileMode) error {
	if err := local.WriteFile(root, rel, r, mode); err != nil {
		return pathError(rel, err)
	}
	return nil
}

// Symlink makes a symlink to link at p inside the tree, replacing the entry
// there unless it is a directory; p's directory is resolved as Resolve
// does, and must exist.
func Symlink(root *os.Root, link, p string) error {
	rel, err := ResolveParent(root, p)
	if err != nil {
		return err
	}
	if info, err := root.Lstat(rel); err == nil && !info.IsDir() {
		if err := root.Remove(rel); err != nil {
			return pathError(p, err)
		}
	}
	if err := root.Symlink(link, rel); err != nil {
		return pathError(p, err)
	}
	return nil
}
