//go:build unix

package archive_test

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/packer-classic/packer/internal/archive"
)

// A builder writes its tree as a tar.zst, as a root filesystem wants it:
// owners by number, every kind of entry kept.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "rootfs")
	defer os.RemoveAll(dir)
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(tree, "etc"), 0o755)
	os.WriteFile(filepath.Join(tree, "etc", "hostname"), []byte("demo\n"), 0o644)
	os.Symlink("etc/hostname", filepath.Join(tree, "hostname"))

	format, _ := archive.ParseFormat("tar.zst")
	out := filepath.Join(dir, "rootfs.tar.zst")
	w, err := archive.Create("output_directory", out, format, archive.Options{NumericOwners: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Abort() // does nothing once Close succeeded
	if err := w.AddTree(context.Background(), tree); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}

	f, _ := os.Open(out)
	defer f.Close()
	r, _ := archive.NewDecompressor(f, format.Compression)
	defer r.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		fmt.Printf("%c %s %q\n", hdr.Typeflag, hdr.Name, hdr.Linkname)
	}
	// Output:
	// 5 etc/ ""
	// 0 etc/hostname ""
	// 2 hostname "etc/hostname"
}
