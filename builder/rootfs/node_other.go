//go:build !linux

package rootfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
)

// makeNode leaves device nodes and FIFOs out where the tree cannot be
// built (commands in it need Linux).
func makeNode(_ *os.Root, rel string, _ *tar.Header) error {
	return fmt.Errorf("%s: %w", rel, errors.ErrUnsupported)
}
