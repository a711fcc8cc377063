package archive

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// AddTree adds everything under the directory dir (not dir itself), named
// by its path relative to dir with forward slashes, directories with a
// trailing slash, in lexical order. A tar keeps every entry's mode, owner
// and modification time, symlinks as symlinks, a file's further hard links
// as hard links to its first name, and character and block devices and
// named pipes; sockets, which no tar can hold, are left out. A zip holds
// directories, files and symlinks, and refuses devices and pipes. A Single
// format cannot hold a tree.
func (w *Writer) AddTree(ctx context.Context, dir string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.format.Container == Single {
		return fmt.Errorf("adding the tree %s: a %s holds one file; use a tar or zip", dir, w.format)
	}
	links := map[fileID]string{}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if w.zip != nil {
			return w.addZipEntry(ctx, name, path, info)
		}
		return w.addTarEntry(ctx, name, path, info, links)
	})
}

func (w *Writer) addTarEntry(ctx context.Context, name, path string, info fs.FileInfo, links map[fileID]string) error {
	mode := info.Mode()
	link := ""
	switch {
	case mode&fs.ModeSocket != 0:
		return nil
	case mode&fs.ModeSymlink != 0:
		var err error
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	case mode.IsDir():
		name += "/"
	}
	if mode.IsRegular() {
		if id, ok := hardLinked(info); ok {
			if first, seen := links[id]; seen {
				return w.tarLink(name, first, info)
			}
			links[id] = name
		}
	}
	if err := w.tarHeader(name, info, link); err != nil {
		return err
	}
	if !mode.IsRegular() {
		return nil
	}
	return w.addContent(ctx, w.tar, path, info.Size())
}

// tarLink writes name as a hard link to the member first.
func (w *Writer) tarLink(name, first string, info fs.FileInfo) error {
	hdr, err := tar.FileInfoHeader(info, "")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	hdr.Name, hdr.Typeflag, hdr.Linkname, hdr.Size = name, tar.TypeLink, first, 0
	w.tuneTarHeader(hdr)
	if err := w.tar.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (w *Writer) addZipEntry(ctx context.Context, name, path string, info fs.FileInfo) error {
	mode := info.Mode()
	switch {
	case mode.IsDir():
		_, err := w.zipHeader(name+"/", info)
		return err
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		dst, err := w.zipHeader(name, info)
		if err != nil {
			return err
		}
		_, err = dst.Write([]byte(target)) // how zip tools store a link
		return err
	case mode.IsRegular():
		dst, err := w.zipHeader(name, info)
		if err != nil {
			return err
		}
		return w.addContent(ctx, dst, path, info.Size())
	}
	return fmt.Errorf("%s is a %s, which a zip cannot hold; use a tar", path, kindOf(mode))
}

func (w *Writer) addContent(ctx context.Context, dst io.Writer, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return w.stream(ctx, dst, f, path, size)
}
