package packer

import (
	"fmt"
	"path/filepath"
	"strings"
)

// CheckOutputPath checks a path a component is about to write, named by its
// configuration key, before anything is written: no NUL byte, and a relative
// path must stay under the working directory (no leading ".." once
// cleaned). Absolute paths are the user's explicit choice and are allowed.
// Components call it in Prepare so that validate reports the problem.
func CheckOutputPath(key, path string) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("%s: %q holds a NUL byte", key, path)
	}
	if filepath.IsAbs(path) {
		return nil
	}
	clean := filepath.ToSlash(filepath.Clean(path))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("%s: %q leaves the working directory; use a path below it, or an absolute path", key, path)
	}
	return nil
}
