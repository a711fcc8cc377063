package packer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckOutputPath checks a path a component is about to write, named by its
// configuration key, before anything is written: no NUL byte, and a relative
// path must stay under the working directory, neither by ".." nor through a
// symlink that points outside it. Absolute paths are the user's explicit
// choice and are allowed. Components call it in Prepare, so that validate
// reports the problem, and again before writing.
func CheckOutputPath(key, path string) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("%s: %q holds a NUL byte", key, path)
	}
	if filepath.IsAbs(path) {
		return nil
	}
	clean := filepath.Clean(path)
	if slash := filepath.ToSlash(clean); slash == ".." || strings.HasPrefix(slash, "../") {
		return fmt.Errorf("%s: %q leaves the working directory; use a path below it, or an absolute path", key, path)
	}
	// Every existing component must resolve inside the working directory.
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	root, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return nil
	}
	parts := strings.Split(clean, string(filepath.Separator))
	for i := range parts {
		sub := filepath.Join(parts[:i+1]...)
		if _, err := os.Lstat(sub); err != nil {
			break // the rest does not exist yet
		}
		resolved, err := filepath.EvalSymlinks(sub)
		if err != nil {
			break
		}
		if !filepath.IsAbs(resolved) {
			resolved = filepath.Join(wd, resolved)
		}
		if rel, err := filepath.Rel(root, resolved); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s: %q goes through %s, a symlink to %s outside the working directory; write below the working directory, or give an absolute path", key, path, sub, resolved)
		}
	}
	return nil
}

// OpenOutput opens path, a file a component writes, named by key in errors,
// with os.OpenFile's flag and perm. A relative path is opened through an
// os.Root at the working directory, so the check and the write cannot be
// separated: neither ".." nor a symlink, even one planted after Prepare
// checked the path, can take the write outside the working directory.
// Absolute paths are the user's explicit choice and are opened as given.
// Parent directories are not made; see MkdirOutput.
func OpenOutput(key, path string, flag int, perm fs.FileMode) (*os.File, error) {
	if strings.ContainsRune(path, 0) {
		return nil, fmt.Errorf("%s: %q holds a NUL byte", key, path)
	}
	if filepath.IsAbs(path) {
		f, err := os.OpenFile(path, flag, perm)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return f, nil
	}
	root, err := os.OpenRoot(".")
	if err != nil {
		return nil, fmt.Errorf("%s: opening the working directory: %w", key, err)
	}
	defer root.Close()
	f, err := root.OpenFile(filepath.Clean(path), flag, perm)
	if err != nil {
		return nil, confinedError(key, path, err)
	}
	return f, nil
}

// MkdirOutput makes the directory dir and its parents for a component's
// output, named by key in errors, confined as OpenOutput confines files.
func MkdirOutput(key, dir string, perm fs.FileMode) error {
	return confined(key, dir,
		func() error { return os.MkdirAll(dir, perm) },
		func(root *os.Root, clean string) error { return root.MkdirAll(clean, perm) })
}

// confined runs one operation on path for the component's key: absolute
// as given, or, for a relative path, rooted at the working directory.
func confined(key, path string, absolute func() error, rooted func(root *os.Root, clean string) error) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("%s: %q holds a NUL byte", key, path)
	}
	if filepath.IsAbs(path) {
		if err := absolute(); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	}
	root, err := os.OpenRoot(".")
	if err != nil {
		return fmt.Errorf("%s: opening the working directory: %w", key, err)
	}
	defer root.Close()
	if err := rooted(root, filepath.Clean(path)); err != nil {
		return confinedError(key, path, err)
	}
	return nil
}

// confinedError explains why a confined open failed: when the path leaves
// the working directory, CheckOutputPath says how (which symlink, to where).
func confinedError(key, path string, err error) error {
	if why := CheckOutputPath(key, path); why != nil {
		return why
	}
	return fmt.Errorf("%s: %w", key, err)
}

// RenameOutput renames the file from to the path to, both written by a
// component and named by key in errors, confined as OpenOutput confines
// files: a component writes a temporary file beside its output and renames
// it into place when complete, so that a failure never leaves a partial
// output. Both paths must be relative, or both absolute.
func RenameOutput(key, from, to string) error {
	if strings.ContainsRune(from, 0) {
		return fmt.Errorf("%s: %q holds a NUL byte", key, from)
	}
	if filepath.IsAbs(from) != filepath.IsAbs(to) {
		return fmt.Errorf("%s: renaming %s to %s: one path is absolute and the other relative", key, from, to)
	}
	return confined(key, to,
		func() error { return os.Rename(from, to) },
		func(root *os.Root, clean string) error { return root.Rename(filepath.Clean(from), clean) })
}

// RemoveOutput removes the file at path that a component wrote, named by
// key in errors, confined as OpenOutput confines files. A file that is
// already gone is not an error.
func RemoveOutput(key, path string) error {
	ignoreGone := func(err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return confined(key, path,
		func() error { return ignoreGone(os.Remove(path)) },
		func(root *os.Root, clean string) error { return ignoreGone(root.Remove(clean)) })
}

// OpenOutputRoot makes the directory dir and its parents for a component's
// output, named by key in errors, and opens an os.Root at it, so that every
// write under dir can go through the root: neither ".." nor a symlink in
// what is already under dir (one planted there, or one an earlier download
// made) can take a write outside it. A relative dir is made and opened
// confined to the working directory, as MkdirOutput confines it; an
// absolute one is the user's explicit choice and opened as given. The
// caller closes the root.
func OpenOutputRoot(key, dir string, perm fs.FileMode) (*os.Root, error) {
	if strings.ContainsRune(dir, 0) {
		return nil, fmt.Errorf("%s: %q holds a NUL byte", key, dir)
	}
	if filepath.IsAbs(dir) {
		if err := os.MkdirAll(dir, perm); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return root, nil
	}
	wd, err := os.OpenRoot(".")
	if err != nil {
		return nil, fmt.Errorf("%s: opening the working directory: %w", key, err)
	}
	defer wd.Close()
	clean := filepath.Clean(dir)
	if err := wd.MkdirAll(clean, perm); err != nil {
		return nil, confinedError(key, dir, err)
	}
	root, err := wd.OpenRoot(clean)
	if err != nil {
		return nil, confinedError(key, dir, err)
	}
	return root, nil
}

// ClaimOutputDirectory readies dir, the output directory a builder names
// by key, for a new build. A directory that already exists is refused with
// an error that says what to do, unless force (packer build -force) is set;
// then it is removed first and ui says so. dir and its parents are then
// made as MkdirOutput makes them, confined to the working directory when
// dir is relative. Removing a symlink at dir removes the link, never what
// it points to.
func ClaimOutputDirectory(ui Ui, key, dir string, force bool) error {
	if _, err := os.Lstat(dir); err == nil {
		if !force {
			return fmt.Errorf("%s %s already exists; remove it or run packer build -force", key, dir)
		}
		ui.Say(fmt.Sprintf("Removing the existing %s %s (-force)", key, dir))
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("%s: removing %s: %w", key, dir, err)
		}
	}
	return MkdirOutput(key, dir, 0o755)
}
