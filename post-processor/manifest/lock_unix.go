//go:build unix

package manifest

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockFile takes an exclusive lock for the manifest at path, waiting for it;
// the returned function releases it. The lock is on the manifest's
// directory, which, unlike the manifest, is never replaced.
func lockFile(path string) (func(), error) {
	f, err := os.Open(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
