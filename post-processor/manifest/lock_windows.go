//go:build windows

package manifest

import (
	"errors"
	"os"
	"time"
)

// lockFile takes a lock by creating path exclusively, retrying while another
// build holds it; the returned function releases it.
func lockFile(manifest string) (func(), error) {
	path := manifest + ".lock"
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
