//go:build unix

package rootfs

import (
	"archive/tar"
	"os"
)

// keepOwnerAndTime applies an archive entry's mtime, and its owner when
// packer runs as root.
func keepOwnerAndTime(path string, hdr *tar.Header) {
	if os.Geteuid() == 0 {
		os.Lchown(path, hdr.Uid, hdr.Gid)
	}
	if hdr.Typeflag != tar.TypeSymlink {
		os.Chtimes(path, hdr.ModTime, hdr.ModTime)
	}
}
