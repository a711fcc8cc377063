//go:build unix

package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// rootTree makes a small root filesystem with one of each kind of entry.
func rootTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "etc"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "usr/lib"), 0o755))
	must(os.Chmod(filepath.Join(dir, "usr/lib"), 0o700))
	must(os.MkdirAll(filepath.Join(dir, "run"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "bin/sh"), []byte("#!shell"), 0o755))
	must(os.Link(filepath.Join(dir, "bin/sh"), filepath.Join(dir, "bin/ash")))
	must(os.WriteFile(filepath.Join(dir, "etc/shadow"), []byte("root:*:"), 0o600))
	must(os.Chmod(filepath.Join(dir, "etc/shadow"), 0o600))
	must(os.Symlink("usr/lib", filepath.Join(dir, "lib")))
	must(syscall.Mkfifo(filepath.Join(dir, "run/fifo"), 0o620))
	os.Chmod(filepath.Join(dir, "run/fifo"), 0o620)
	l, err := net.Listen("unix", filepath.Join(dir, "run/sock"))
	must(err)
	t.Cleanup(func() { l.Close() })
	return dir
}

func tarOfTree(t *testing.T, dir string, o Options) []*tar.Header {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Format{Tar, Zstd}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddTree(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, hdrs := readTar(t, decompress(t, buf.Bytes(), Zstd))
	return hdrs
}

func TestAddTree_tarKeepsEveryKindOfEntryWithModesAndOwners(t *testing.T) {
	dir := rootTree(t)
	hdrs := tarOfTree(t, dir, Options{})
	type entry struct {
		typ  byte
		mode int64
		link string
	}
	want := map[string]entry{
		"bin/":       {tar.TypeDir, 0o755, ""},
		"bin/ash":    {tar.TypeReg, 0o755, ""},
		"bin/sh":     {tar.TypeLink, 0o755, "bin/ash"},
		"etc/":       {tar.TypeDir, 0o755, ""},
		"etc/shadow": {tar.TypeReg, 0o600, ""},
		"lib":        {tar.TypeSymlink, 0o777, "usr/lib"},
		"run/":       {tar.TypeDir, 0o755, ""},
		"run/fifo":   {tar.TypeFifo, 0o620, ""},
		"usr/":       {tar.TypeDir, 0o755, ""},
		"usr/lib/":   {tar.TypeDir, 0o700, ""},
	}
	var names []string
	for _, h := range hdrs {
		names = append(names, h.Name)
		w, ok := want[h.Name]
		if !ok {
			t.Errorf("unexpected member %s", h.Name)
			continue
		}
		if h.Typeflag != w.typ || h.Mode&0o7777 != w.mode || h.Linkname != w.link {
			t.Errorf("%s: type %c mode %o link %q, want %c %o %q", h.Name, h.Typeflag, h.Mode&0o7777, h.Linkname, w.typ, w.mode, w.link)
		}
		if h.Uid != os.Getuid() || h.Gid != os.Getgid() {
			t.Errorf("%s: owner %d:%d, want %d:%d", h.Name, h.Uid, h.Gid, os.Getuid(), os.Getgid())
		}
	}
	if got := strings.Join(names, " "); got != "bin/ bin/ash bin/sh etc/ etc/shadow lib run/ run/fifo usr/ usr/lib/" {
		t.Errorf("members in order %s, want lexical order without the socket", got)
	}
}

func TestAddTree_numericOwnersLeaveNamesOut(t *testing.T) {
	dir := rootTree(t)
	for _, h := range tarOfTree(t, dir, Options{NumericOwners: true, TarFormat: tar.FormatGNU}) {
		if h.Uname != "" || h.Gname != "" || h.Uid != os.Getuid() {
			t.Errorf("%s: owner %q:%q (%d)", h.Name, h.Uname, h.Gname, h.Uid)
		}
		if h.Format != tar.FormatGNU {
			t.Errorf("%s: format %v, want GNU", h.Name, h.Format)
		}
	}
}

func TestAddTree_keepsDevicesWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a device node needs root")
	}
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(1<<8|3)); err != nil {
		t.Skipf("mknod: %v", err)
	}
	os.Chmod(null, 0o666)
	hdrs := tarOfTree(t, dir, Options{})
	if len(hdrs) != 1 || hdrs[0].Typeflag != tar.TypeChar || hdrs[0].Devmajor != 1 || hdrs[0].Devminor != 3 || hdrs[0].Mode&0o777 != 0o666 {
		t.Errorf("the device became %+v", hdrs)
	}
}

func TestAddTree_zipHoldsFilesDirectoriesAndSymlinksAndRefusesPipes(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "doc"), 0o755)
	os.WriteFile(filepath.Join(dir, "doc/README"), []byte("read me"), 0o644)
	os.Symlink("doc/README", filepath.Join(dir, "README"))
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Format{Zip, NoCompression}, Options{})
	if err := w.AddTree(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got, order := readZip(t, buf.Bytes())
	if strings.Join(order, " ") != "README doc/ doc/README" {
		t.Errorf("zip members %v", order)
	}
	if got["README"].mode&os.ModeSymlink == 0 || got["README"].content != "doc/README" {
		t.Errorf("the symlink became %+v", got["README"])
	}
	if got["doc/"].mode&os.ModeDir == 0 || got["doc/README"].content != "read me" {
		t.Errorf("zip holds %+v", got)
	}

	syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600)
	w, _ = NewWriter(&bytes.Buffer{}, Format{Zip, NoCompression}, Options{})
	if err := w.AddTree(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is a named pipe, which a zip cannot hold") {
		t.Errorf("a pipe into a zip: %v", err)
	}
	w.Close()
	w, _ = NewWriter(&bytes.Buffer{}, Format{Single, Gzip}, Options{})
	if err := w.AddTree(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "a gz holds one file") {
		t.Errorf("a tree into a .gz: %v", err)
	}
	w.Close()
}

func TestAddTree_stopsWhenCancelled(t *testing.T) {
	dir := rootTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w, _ := NewWriter(&bytes.Buffer{}, Format{Tar, NoCompression}, Options{})
	defer w.Close()
	if err := w.AddTree(ctx, dir); err != context.Canceled {
		t.Errorf("AddTree with a cancelled context: %v", err)
	}
}
