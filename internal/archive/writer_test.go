package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func create(t *testing.T, path string, f Format, o Options, files ...string) []byte {
	t.Helper()
	w, err := Create("output", path, f, o)
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	defer w.Abort()
	for _, p := range files {
		if err := w.AddFile(context.Background(), filepath.Base(p), p); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCreate_everyTarCompressionReadsBackWithContentsModesAndTimes(t *testing.T) {
	dir, paths, want := inputs(t)
	for _, c := range Compressions {
		f := Format{Tar, c}
		for _, level := range []int{0, 1, 9} {
			data := create(t, filepath.Join(dir, "out."+f.String()), f, Options{Level: level}, paths...)
			if m := magic[c]; m != nil && !bytes.HasPrefix(data, m) {
				t.Errorf("%s starts % x, not the %s magic % x", f, data[:8], c, m)
			}
			got, hdrs := readTar(t, decompress(t, data, c))
			sameMembers(t, f.String(), got, want)
			for _, h := range hdrs {
				if h.Uid != os.Getuid() || h.Typeflag != tar.TypeReg {
					t.Errorf("%s: %s has uid %d and type %c", f, h.Name, h.Uid, h.Typeflag)
				}
			}
		}
	}
}

func TestCreate_zipKeepsContentsModesAndTimes(t *testing.T) {
	dir, paths, want := inputs(t)
	for _, level := range []int{0, 1, 9} {
		data := create(t, filepath.Join(dir, "out.zip"), Format{Zip, NoCompression}, Options{Level: level}, paths...)
		got, order := readZip(t, data)
		sameMembers(t, "zip", got, want)
		if strings.Join(order, ",") != "disk.img,run.sh" {
			t.Errorf("zip members in order %v, want the order they were added", order)
		}
	}
}

func TestCreate_singleFileEveryCompression(t *testing.T) {
	dir, paths, want := inputs(t)
	for _, c := range Compressions[1:] {
		f := Format{Single, c}
		data := create(t, filepath.Join(dir, "disk.img."+f.String()), f, Options{Level: 9}, paths[0])
		if !bytes.HasPrefix(data, magic[c]) {
			t.Errorf("%s starts % x, not the magic % x", f, data[:8], magic[c])
		}
		if got := decompress(t, data, c); string(got) != want["disk.img"].content {
			t.Errorf("%s holds %d bytes, not the file's %d", f, len(got), len(want["disk.img"].content))
		}
	}
}

func TestNewDecompressor_readsWhatEveryCompressionWrites(t *testing.T) {
	content := bytes.Repeat([]byte("round trip "), 30000)
	for _, c := range Compressions {
		var buf bytes.Buffer
		w, err := NewCompressor(&buf, c, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
		if err := w.Close(); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		r, err := NewDecompressor(&buf, c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		var got bytes.Buffer
		if _, err := got.ReadFrom(r); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		r.Close()
		if !bytes.Equal(got.Bytes(), content) {
			t.Errorf("%s: read back %d bytes, wrote %d", c, got.Len(), len(content))
		}
	}
	if _, err := NewDecompressor(nil, "rar"); err == nil || !strings.Contains(err.Error(), `unknown compression "rar"`) {
		t.Errorf("unknown compression: %v", err)
	}
}

func TestCreate_theArchiveHasTheModeOsCreateGives(t *testing.T) {
	dir, paths, _ := inputs(t)
	ref, err := os.Create(filepath.Join(dir, "reference"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	refInfo, _ := os.Stat(ref.Name())
	create(t, filepath.Join(dir, "out.tar"), Format{Tar, NoCompression}, Options{}, paths...)
	info, _ := os.Stat(filepath.Join(dir, "out.tar"))
	if info.Mode() != refInfo.Mode() {
		t.Errorf("the archive has mode %v, os.Create gives %v", info.Mode(), refInfo.Mode())
	}
	create(t, filepath.Join(dir, "private.tar"), Format{Tar, NoCompression}, Options{Perm: 0o600}, paths...)
	if info, _ := os.Stat(filepath.Join(dir, "private.tar")); info.Mode() != 0o600 {
		t.Errorf("Perm 0600 gave %v", info.Mode())
	}
}

func TestCreate_replacesAnExistingFileAndMakesMissingDirectories(t *testing.T) {
	dir, paths, want := inputs(t)
	out := filepath.Join(dir, "a", "b", "out.tar")
	os.MkdirAll(filepath.Dir(out), 0o755)
	os.WriteFile(out, []byte("old"), 0o644)
	got, _ := readTar(t, create(t, out, Format{Tar, NoCompression}, Options{}, paths...))
	sameMembers(t, "replaced tar", got, want)
	if info, err := os.Stat(filepath.Join(dir, "c")); err == nil {
		t.Errorf("made %v", info.Name())
	}
	create(t, filepath.Join(dir, "c", "d", "out.tar"), Format{Tar, NoCompression}, Options{}, paths...)
}

func TestCreate_aFailureOrAbortLeavesNothingAndKeepsTheOldFile(t *testing.T) {
	dir, paths, _ := inputs(t)
	out := filepath.Join(dir, "out.tar.gz")
	os.WriteFile(out, []byte("old"), 0o644)
	w, err := Create("output", out, Format{Tar, Gzip}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.AddFile(context.Background(), "disk.img", paths[0])
	err = w.AddFile(context.Background(), "missing", filepath.Join(dir, "missing"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("adding a missing file: %v", err)
	}
	w.Abort()
	w.Abort()
	if data, _ := os.ReadFile(out); string(data) != "old" {
		t.Errorf("an aborted archive replaced the old file: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part") {
			t.Errorf("left %s", e.Name())
		}
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
}

func TestAddFile_refusesWhatItCannotHoldAndStopsWhenCancelled(t *testing.T) {
	dir, paths, _ := inputs(t)
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Format{Single, Gzip}, Options{})
	if err := w.AddFile(context.Background(), "a", paths[0]); err != nil {
		t.Fatal(err)
	}
	if err := w.AddFile(context.Background(), "b", paths[1]); !errors.Is(err, ErrOneFile) {
		t.Errorf("a second file into a .gz: %v", err)
	}
	w.Close()

	w, _ = NewWriter(&buf, Format{Tar, NoCompression}, Options{})
	if err := w.AddFile(context.Background(), "d", dir); err == nil || !strings.Contains(err.Error(), "is a directory, not a regular file") {
		t.Errorf("adding a directory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.AddFile(ctx, "a", paths[0]); !errors.Is(err, context.Canceled) {
		t.Errorf("adding with a cancelled context: %v", err)
	}
	w.Close()
	if err := w.AddFile(context.Background(), "a", paths[0]); err == nil {
		t.Error("added to a closed archive")
	}
}

func TestAddFile_followsASymlinkUnderTheLinksName(t *testing.T) {
	dir, paths, want := inputs(t)
	link := filepath.Join(dir, "latest.img")
	if err := os.Symlink(paths[0], link); err != nil {
		t.Skip(err)
	}
	got, _ := readTar(t, create(t, filepath.Join(dir, "l.tar"), Format{Tar, NoCompression}, Options{}, link))
	sameMembers(t, "tar of a symlink", got, map[string]member{"latest.img": want["disk.img"]})
}

func TestClose_aSingleFormatWithNoFileIsAnEmptyStream(t *testing.T) {
	for _, c := range Compressions[1:] {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf, Format{Single, c}, Options{})
		if err := w.Close(); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if got := decompress(t, buf.Bytes(), c); len(got) != 0 {
			t.Errorf("%s: %d bytes", c, len(got))
		}
	}
}

func TestNewWriter_refusesBadFormatsAndLevels(t *testing.T) {
	for f, want := range map[Format]string{
		{Zip, Gzip}:              "a zip compresses its members itself",
		{Single, NoCompression}:  "a single file needs a compression",
		{Tar, "rar"}:             `unknown compression "rar"`,
		{"cpio", NoCompression}:  `unknown container "cpio"`,
		{Tar, NoCompression}:     "",
		{Single, Bzip2}:          "",
		{Container(""), "bzip2"}: "unknown container",
	} {
		_, err := NewWriter(&bytes.Buffer{}, f, Options{})
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", f, err, want)
		}
	}
	for _, level := range []int{-1, 10} {
		if _, err := NewWriter(&bytes.Buffer{}, Format{Tar, Gzip}, Options{Level: level}); err == nil || !strings.Contains(err.Error(), "not between 1 and 9") {
			t.Errorf("level %d: %v", level, err)
		}
	}
}

func TestCreate_refusesAnOutputOutsideTheWorkingDirectory(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	if _, err := Create("output", "../x.tar", Format{Tar, NoCompression}, Options{}); err == nil || !strings.Contains(err.Error(), "leaves the working directory") {
		t.Errorf("../x.tar: %v", err)
	}
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skip(err)
	}
	if _, err := Create("output", "out/x.tar", Format{Tar, NoCompression}, Options{}); err == nil || !strings.HasPrefix(err.Error(), "output: ") {
		t.Errorf("through a symlink outside: %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote %v outside", entries[0].Name())
	}
}

func TestFormat_namesRoundTrip(t *testing.T) {
	for _, name := range FormatNames() {
		f, err := ParseFormat(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := f.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, alias := aliases[name]; !alias && f.String() != name {
			t.Errorf("ParseFormat(%q).String() = %q", name, f)
		}
	}
	for name, want := range map[string]Format{"tgz": {Tar, Gzip}, "tar.bz2": {Tar, Bzip2}, "bz2": {Single, Bzip2}, "tar.bgzf": {Tar, BGZF}, "zst": {Single, Zstd}} {
		if got, _ := ParseFormat(name); got != want {
			t.Errorf("ParseFormat(%q) = %+v, want %+v", name, got, want)
		}
	}
	if _, err := ParseFormat("rar"); err == nil || !strings.Contains(err.Error(), `unknown archive format "rar" (use tar, tar.gz`) {
		t.Errorf("rar: %v", err)
	}
}
