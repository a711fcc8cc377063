package compress

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

type files []string

func (f files) BuilderId() string { return "test" }
func (f files) Files() []string   { return f }
func (f files) Id() string        { return "files" }
func (f files) String() string    { return "files" }
func (f files) State(string) any  { return nil }
func (f files) Destroy() error    { return nil }

var mtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func inputs(t *testing.T) (string, files) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "disk.img"), filepath.Join(dir, "run.sh")
	os.WriteFile(a, bytes.Repeat([]byte("disk"), 1000), 0o644)
	os.WriteFile(b, []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.Chtimes(a, mtime, mtime)
	os.Chtimes(b, mtime, mtime)
	return dir, files{a, b}
}

func compress(t *testing.T, config map[string]any, in files) (packer.Artifact, error) {
	t.Helper()
	p := new(PostProcessor)
	if err := p.Prepare(config, map[string]any{packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "null"}); err != nil {
		return nil, err
	}
	a, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, in)
	if err == nil && keep {
		t.Error("compress keeps its input; Packer's does not unless keep_input_artifact")
	}
	return a, err
}

// readTar returns name -> content, mode and mtime of a tar stream.
func readTar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		out[hdr.Name] = string(data) + "|" + hdr.FileInfo().Mode().Perm().String() + "|" + hdr.ModTime.UTC().Format(time.RFC3339)
	}
}

func wantEntries(in files) map[string]string {
	out := map[string]string{}
	for _, f := range in {
		data, _ := os.ReadFile(f)
		info, _ := os.Stat(f)
		out[filepath.Base(f)] = string(data) + "|" + info.Mode().Perm().String() + "|" + mtime.Format(time.RFC3339)
	}
	return out
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCompress_tarFormatsReadBackWithContentsModesAndTimes(t *testing.T) {
	dir, in := inputs(t)
	for _, ext := range []string{"tar", "tar.gz", "tgz", "tar.zst"} {
		out := filepath.Join(dir, "out."+ext)
		a, err := compress(t, map[string]any{"output": out}, in)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		if a.Files()[0] != out {
			t.Errorf("%s: artifact files %v", ext, a.Files())
		}
		f, _ := os.Open(out)
		var r io.Reader = f
		switch ext {
		case "tar.gz", "tgz":
			gz, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = gz
		case "tar.zst":
			zr, err := zstd.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		if got := readTar(t, r); !equal(got, wantEntries(in)) {
			t.Errorf("%s holds %v, want %v", ext, got, wantEntries(in))
		}
		f.Close()
	}
}

func TestCompress_zipAndSingleFileFormats(t *testing.T) {
	dir, in := inputs(t)
	zipPath := filepath.Join(dir, "out.zip")
	if _, err := compress(t, map[string]any{"output": zipPath}, in); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 2 || zr.File[1].Name != "run.sh" || zr.File[1].Mode().Perm() != 0o755 {
		t.Errorf("zip entries: %v", zr.File)
	}
	for _, ext := range []string{"gz", "zst"} {
		out := filepath.Join(dir, "disk.img."+ext)
		if _, err := compress(t, map[string]any{"output": out, "compression_level": 9}, in[:1]); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(out)
		var r io.Reader
		if ext == "gz" {
			r, _ = gzip.NewReader(f)
		} else {
			r, _ = zstd.NewReader(f)
		}
		data, _ := io.ReadAll(r)
		f.Close()
		if !bytes.Equal(data, bytes.Repeat([]byte("disk"), 1000)) {
			t.Errorf(".%s holds %d bytes, not the file", ext, len(data))
		}
	}
}

func TestCompress_errorsNameTheKeyAndLeaveNoPartialFile(t *testing.T) {
	dir, in := inputs(t)
	if _, err := compress(t, map[string]any{"output": filepath.Join(dir, "x.gz")}, in); err == nil || !strings.Contains(err.Error(), "a .gz holds one file and the artifact has 2") {
		t.Errorf("two files into .gz: %v", err)
	}
	if _, err := compress(t, map[string]any{"output": "x.rar"}, in); err == nil || !strings.Contains(err.Error(), `output: cannot tell the format of "x.rar"`) {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := compress(t, map[string]any{"output": "x.tar", "compression_level": 12}, in); err == nil || !strings.Contains(err.Error(), "compression_level: 12") {
		t.Errorf("bad level: %v", err)
	}
	out := filepath.Join(dir, "broken.tar.gz")
	if _, err := compress(t, map[string]any{"output": out}, files{in[0], filepath.Join(dir, "missing")}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing input: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "broken") {
			t.Errorf("a failed compress left %s", e.Name())
		}
	}
}

func TestCompress_defaultOutputIsPackersName(t *testing.T) {
	dir, in := inputs(t)
	t.Chdir(dir)
	if _, err := compress(t, map[string]any{}, in); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "packer_potato_null.tar.gz")); err != nil {
		t.Error(err)
	}
}

func TestCompress_anOutputRenderedOutsideTheWorkingDirectoryIsRefused(t *testing.T) {
	_, in := inputs(t)
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{"output": "{{.BuildName}}/x.tar"}, map[string]any{packer.BuildNameConfigKey: "../.."}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, in); err == nil || !strings.Contains(err.Error(), "leaves the working directory") {
		t.Errorf("PostProcess = %v", err)
	}
}
