package packer

import (
	"fmt"
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
