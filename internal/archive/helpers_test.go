package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

var mtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// member is what a test expects of an archive member.
type member struct {
	content string
	mode    os.FileMode
	mtime   time.Time
}

// inputs makes a file only its owner reads and an executable one, with
// known contents and times.
func inputs(t *testing.T) (dir string, paths []string, want map[string]member) {
	t.Helper()
	dir = t.TempDir()
	want = map[string]member{
		"disk.img": {string(bytes.Repeat([]byte("disk image "), 20000)), 0o600, mtime},
		"run.sh":   {"#!/bin/sh\necho hi\n", 0o755, mtime},
	}
	for _, name := range []string{"disk.img", "run.sh"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(want[name].content), want[name].mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, want[name].mode)
		os.Chtimes(p, mtime, mtime)
		paths = append(paths, p)
	}
	return dir, paths, want
}

// decompress reads data with a reader that is not the package's own (the
// standard library's where it has one).
func decompress(t *testing.T, data []byte, c Compression) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch c {
	case NoCompression:
		return data
	case Gzip, BGZF:
		r, err = gzip.NewReader(bytes.NewReader(data))
	case Bzip2:
		r = bzip2.NewReader(bytes.NewReader(data))
	case LZ4:
		r = lz4.NewReader(bytes.NewReader(data))
	case XZ:
		r, err = xz.NewReader(bytes.NewReader(data))
	case Zstd:
		var zr *zstd.Decoder
		zr, err = zstd.NewReader(bytes.NewReader(data))
		if err == nil {
			defer zr.Close()
		}
		r = zr
	default:
		t.Fatalf("no reader for %s", c)
	}
	if err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading back %s: %v", c, err)
	}
	return out
}

// magic is how each compression's stream begins.
var magic = map[Compression][]byte{
	Gzip:  {0x1f, 0x8b},
	BGZF:  {0x1f, 0x8b, 8, 4},
	LZ4:   {0x04, 0x22, 0x4d, 0x18},
	XZ:    {0xfd, '7', 'z', 'X', 'Z', 0},
	Bzip2: []byte("BZh"),
	Zstd:  {0x28, 0xb5, 0x2f, 0xfd},
}

func readTar(t *testing.T, data []byte) (map[string]member, []*tar.Header) {
	t.Helper()
	got := map[string]member{}
	var hdrs []*tar.Header
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return got, hdrs
		}
		if err != nil {
			t.Fatalf("reading the tar: %v", err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got[hdr.Name] = member{string(content), hdr.FileInfo().Mode(), hdr.ModTime.UTC()}
		hdrs = append(hdrs, hdr)
	}
}

func readZip(t *testing.T, data []byte) (map[string]member, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("reading the zip: %v", err)
	}
	got := map[string]member{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = member{string(content), f.Mode(), f.Modified.UTC()}
		order = append(order, f.Name)
	}
	return got, order
}

func sameMembers(t *testing.T, what string, got, want map[string]member) {
	t.Helper()
	if len(got) != len(want) {
		names := []string{}
		for n := range got {
			names = append(names, n)
		}
		t.Errorf("%s holds %d members %v, want %d", what, len(got), names, len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s lacks %s", what, name)
		case g.content != w.content:
			t.Errorf("%s: %s holds %d bytes, not its file's %d", what, name, len(g.content), len(w.content))
		case g.mode != w.mode:
			t.Errorf("%s: %s has mode %v, want %v", what, name, g.mode, w.mode)
		case !g.mtime.Equal(w.mtime):
			t.Errorf("%s: %s has mtime %v, want %v", what, name, g.mtime, w.mtime)
		}
	}
}
