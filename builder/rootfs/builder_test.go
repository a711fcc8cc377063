package rootfs

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// provisionHook does what a file and a shell provisioner would, through the
// communicator the builder hands it.
type provisionHook struct{ tree string }

func (h *provisionHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	h.tree, _ = data.(map[string]any)["Tree"].(string)
	if err := comm.Upload("/etc/motd", strings.NewReader("built by packer\n"), nil); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	_, err := (&packer.RemoteCmd{Command: "mkdir -p var/log && echo provisioned > var/log/build.log"}).RunWithUi(ctx, comm, ui)
	return err
}

var mtime = time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)

func sourceDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	os.WriteFile(filepath.Join(dir, "bin", "hello"), []byte("#!/bin/sh\necho hello\n"), 0o755)
	os.Chtimes(filepath.Join(dir, "bin", "hello"), mtime, mtime)
	if runtime.GOOS != "windows" {
		os.Symlink("bin/hello", filepath.Join(dir, "hello"))
	}
	return dir
}

func build(t *testing.T, config map[string]any) (packer.Artifact, *provisionHook, error) {
	t.Helper()
	force := config["force"] == true
	delete(config, "force")
	b := new(Builder)
	if _, err := b.Prepare(config, map[string]any{packer.BuildNameConfigKey: "box", packer.ForceConfigKey: force}); err != nil {
		return nil, nil, err
	}
	hook := &provisionHook{}
	a, err := b.Run(context.Background(), &packertest.Ui{}, hook)
	return a, hook, err
}

type entry struct {
	body, link string
	mode       os.FileMode
	mtime      time.Time
}

func readArchive(t *testing.T, path string) map[string]entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, ".tar.gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	case strings.HasSuffix(path, ".tar.zst"):
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out := map[string]entry{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[hdr.Name] = entry{body: string(body), link: hdr.Linkname, mode: hdr.FileInfo().Mode().Perm(), mtime: hdr.ModTime.UTC()}
	}
}

func TestRootfs_fromADirectoryProvisionedAndArchived(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	a, hook, err := build(t, map[string]any{"source": sourceDir(t), "output_directory": out, "format": "tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(out, "rootfs.tar.gz")
	if len(a.Files()) != 1 || a.Files()[0] != archive || a.State("tree") != filepath.Join(out, "rootfs") || hook.tree != a.State("tree") {
		t.Fatalf("artifact files %v, tree %v (hook saw %q)", a.Files(), a.State("tree"), hook.tree)
	}
	entries := readArchive(t, archive)
	if e := entries["bin/hello"]; e.body != "#!/bin/sh\necho hello\n" || (runtime.GOOS != "windows" && e.mode != 0o755) || !e.mtime.Equal(mtime) {
		t.Errorf("bin/hello = %+v", e)
	}
	if e := entries["etc/motd"]; e.body != "built by packer\n" {
		t.Errorf("etc/motd = %+v", e)
	}
	if runtime.GOOS != "windows" {
		if e := entries["hello"]; e.link != "bin/hello" {
			t.Errorf("symlink hello = %+v", e)
		}
		if e := entries["var/log/build.log"]; e.body != "provisioned\n" {
			t.Errorf("the shell command's file = %+v", e)
		}
	}
}

func TestRootfs_fromAnArchiveToADirectory(t *testing.T) {
	// First build an archive, then start a second build from it.
	first := filepath.Join(t.TempDir(), "first")
	if _, _, err := build(t, map[string]any{"source": sourceDir(t), "output_directory": first, "format": "tar.zst"}); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(t.TempDir(), "second")
	a, _, err := build(t, map[string]any{"source": filepath.Join(first, "rootfs.tar.zst"), "output_directory": second})
	if err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(second, "rootfs")
	info, err := os.Stat(filepath.Join(tree, "bin", "hello"))
	if err != nil || !info.ModTime().Equal(mtime) || (runtime.GOOS != "windows" && info.Mode().Perm() != 0o755) {
		t.Errorf("bin/hello after a round trip: %v %v", info, err)
	}
	found := false
	for _, f := range a.Files() {
		found = found || f == filepath.Join(tree, "etc", "motd")
	}
	if !found {
		t.Errorf("the dir artifact does not list etc/motd: %v", a.Files())
	}
}

func TestRootfs_refusesAnExistingOutputUnlessForced(t *testing.T) {
	out := t.TempDir()
	_, _, err := build(t, map[string]any{"output_directory": out})
	if err == nil || !strings.Contains(err.Error(), "already exists; remove it or run packer build -force") {
		t.Fatalf("existing output: %v", err)
	}
	if _, _, err := build(t, map[string]any{"output_directory": out, "force": true}); err != nil {
		t.Errorf("with -force: %v", err)
	}
}

func TestRootfs_anArchiveEntryThatLeavesTheTreeIsRefused(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "evil.tar")
	f, _ := os.Create(evil)
	tw := tar.NewWriter(f)
	tw.WriteHeader(&tar.Header{Name: "../../escaped", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	f.Close()
	out := filepath.Join(dir, "out")
	_, _, err := build(t, map[string]any{"source": evil, "output_directory": out})
	if err == nil || !strings.Contains(err.Error(), "leaves the build's tree") {
		t.Fatalf("escaping entry: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
		t.Error("the entry was written outside the tree")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left its output directory")
	}
}

func TestRootfs_prepareNamesEveryProblem(t *testing.T) {
	_, err := new(Builder).Prepare(map[string]any{"format": "rar", "source": "/no/such/dir"})
	for _, want := range []string{`format: "rar" is not one of`, "source: "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare = %v, want %q", err, want)
		}
	}
	notArchive := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(notArchive, nil, 0o644)
	if _, err := new(Builder).Prepare(map[string]any{"source": notArchive}); err == nil || !strings.Contains(err.Error(), "neither a directory nor") {
		t.Errorf("non-archive source: %v", err)
	}
}
