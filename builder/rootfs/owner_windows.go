//go:build windows

package rootfs

import (
	"archive/tar"
	"os"
)

// keepOwnerAndTime applies an archive entry's mtime; Windows has no Unix
// owners.
func keepOwnerAndTime(path string, hdr *tar.Header) {
	if hdr.Typeflag != tar.TypeSymlink {
		os.Chtimes(path, hdr.ModTime, hdr.ModTime)
	}
}
