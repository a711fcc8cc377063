package rootfs

import (
	"archive/tar"
	"io/fs"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// makeNode makes the device node or FIFO hdr describes at rel, through a
// descriptor of its directory: mknodat never follows a symlink at its last
// element, so the node lands where rel says, inside the tree.
func makeNode(root *os.Root, rel string, hdr *tar.Header) error {
	dir, err := root.Open(path.Dir(rel))
	if err != nil {
		return err
	}
	defer dir.Close()
	kind := uint32(unix.S_IFIFO)
	switch hdr.Typeflag {
	case tar.TypeChar:
		kind = unix.S_IFCHR
	case tar.TypeBlock:
		kind = unix.S_IFBLK
	}
	dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
	if err := unix.Mknodat(int(dir.Fd()), path.Base(rel), kind|uint32(hdr.Mode&0o777), int(dev)); err != nil {
		return &fs.PathError{Op: "mknod", Path: rel, Err: err}
	}
	return nil
}
