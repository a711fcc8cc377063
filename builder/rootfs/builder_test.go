package rootfs

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/communicator/tree"
	"github.com/packer-classic/packer/internal/archive"
	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// provisionHook does what a file and a shell provisioner would, through the
// communicator the builder hands it: it uploads /etc/motd, then runs
// command, when set.
type provisionHook struct {
	command string
	tree    string
	called  bool
}

func (h *provisionHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	h.called = true
	h.tree, _ = data.(map[string]any)["Tree"].(string)
	if err := comm.Upload("/etc/motd", strings.NewReader("built by packer\n"), nil); err != nil {
		return err
	}
	if h.command == "" {
		return nil
	}
	status, err := (&packer.RemoteCmd{Command: h.command}).RunWithUi(ctx, comm, ui)
	if err == nil && status != 0 {
		err = fmt.Errorf("%q exited %d", h.command, status)
	}
	return err
}

var mtime = time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)

// sourceDir is a small tree to start from: a file and a symlink to it.
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

// withShell makes the tree at dir one commands can run in (see
// testdeps.BusyboxTree), and skips loudly where commands cannot run
// isolated at all.
func withShell(t *testing.T, dir string) string {
	t.Helper()
	testdeps.BusyboxTree(t, dir)
	skipWithoutIsolation(t)
	return dir
}

func build(t *testing.T, config map[string]any, hook *provisionHook) (packer.Artifact, error) {
	t.Helper()
	force := config["force"] == true
	delete(config, "force")
	b := new(Builder)
	if _, err := b.Prepare(config, map[string]any{packer.BuildNameConfigKey: "box", packer.ForceConfigKey: force}); err != nil {
		return nil, err
	}
	return b.Run(context.Background(), &packertest.Ui{}, hook)
}

type entry struct {
	typ                byte
	body, link         string
	mode               int64
	mtime              time.Time
	uid, gid           int
	uname              string
	devmajor, devminor int64
}

func readArchive(t *testing.T, path string) map[string]entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	format, ok := tarFormat(path)
	if !ok {
		t.Fatalf("%s is no tar", path)
	}
	r, err := archive.NewDecompressor(f, format.Compression)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
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
		out[hdr.Name] = entry{typ: hdr.Typeflag, body: string(body), link: hdr.Linkname, mode: hdr.Mode & 0o7777, mtime: hdr.ModTime.UTC(),
			uid: hdr.Uid, gid: hdr.Gid, uname: hdr.Uname, devmajor: hdr.Devmajor, devminor: hdr.Devminor}
	}
}

func TestRootfs_fromADirectoryProvisionedAndArchived(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("commands in a tree need Linux")
	}
	out := filepath.Join(t.TempDir(), "out")
	hook := &provisionHook{command: "mkdir -p /var/log && echo provisioned > /var/log/build.log"}
	a, err := build(t, map[string]any{"source": withShell(t, sourceDir(t)), "output_directory": out, "format": "tar.gz"}, hook)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(out, "rootfs.tar.gz")
	if len(a.Files()) != 1 || a.Files()[0] != archive || a.State("tree") != filepath.Join(out, "rootfs") || hook.tree != a.State("tree") {
		t.Fatalf("artifact files %v, tree %v (hook saw %q)", a.Files(), a.State("tree"), hook.tree)
	}
	entries := readArchive(t, archive)
	if e := entries["bin/hello"]; e.body != "#!/bin/sh\necho hello\n" || e.mode != 0o755 || !e.mtime.Equal(mtime) {
		t.Errorf("bin/hello = %+v", e)
	}
	if e := entries["etc/motd"]; e.body != "built by packer\n" {
		t.Errorf("etc/motd = %+v", e)
	}
	if e := entries["hello"]; e.link != "bin/hello" {
		t.Errorf("symlink hello = %+v", e)
	}
	if e := entries["var/log/build.log"]; e.body != "provisioned\n" {
		t.Errorf("the shell command's file = %+v", e)
	}
	for name, e := range entries {
		if e.uname != "" {
			t.Errorf("%s is owned by the name %q: a root filesystem's owners are numbers, its own /etc/passwd names them", name, e.uname)
		}
	}
}

func TestRootfs_fromAnArchiveToADirectory(t *testing.T) {
	skipWithoutIsolation(t)
	// First build an archive, then start a second build from it.
	first := filepath.Join(t.TempDir(), "first")
	if _, err := build(t, map[string]any{"source": sourceDir(t), "output_directory": first, "format": "tar.zst"}, &provisionHook{}); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(t.TempDir(), "second")
	a, err := build(t, map[string]any{"source": filepath.Join(first, "rootfs.tar.zst"), "output_directory": second}, &provisionHook{})
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

// skipWithoutIsolation skips loudly where no build can run: commands
// cannot be isolated here.
func skipWithoutIsolation(t *testing.T) {
	t.Helper()
	if _, err := (&tree.Communicator{Root: t.TempDir()}).Check(); err != nil {
		t.Skipf("SKIPPED: commands cannot run isolated here, and a rootfs build refuses to start: %v", err)
	}
}

func TestRootfs_refusesAnExistingOutputUnlessForced(t *testing.T) {
	skipWithoutIsolation(t)
	out := t.TempDir()
	_, err := build(t, map[string]any{"output_directory": out}, &provisionHook{})
	if err == nil || !strings.Contains(err.Error(), "already exists; remove it or run packer build -force") {
		t.Fatalf("existing output: %v", err)
	}
	if _, err := build(t, map[string]any{"output_directory": out, "force": true}, &provisionHook{}); err != nil {
		t.Errorf("with -force: %v", err)
	}
}

func TestRootfs_anArchiveEntryThatLeavesTheTreeIsRefused(t *testing.T) {
	dir := t.TempDir()
	for name, hdrs := range map[string][]*tar.Header{
		"dotdot.tar": {{Name: "../../escaped", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}},
		"link.tar": {
			{Name: "out", Linkname: "../..", Typeflag: tar.TypeSymlink},
			{Name: "out/escaped", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg},
		},
		"hardlink.tar": {{Name: "h", Linkname: "../../escaped", Typeflag: tar.TypeLink}},
	} {
		t.Run(name, func(t *testing.T) {
			evil := filepath.Join(dir, name)
			f, _ := os.Create(evil)
			tw := tar.NewWriter(f)
			for _, hdr := range hdrs {
				tw.WriteHeader(hdr)
				if hdr.Size > 0 {
					tw.Write([]byte("x"))
				}
			}
			tw.Close()
			f.Close()
			out := filepath.Join(dir, "out-"+name)
			_, err := build(t, map[string]any{"source": evil, "output_directory": out}, &provisionHook{})
			if err == nil || !strings.Contains(err.Error(), "leaves the build's tree") || !strings.Contains(err.Error(), evil) {
				t.Fatalf("escaping entry: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
				t.Error("the entry was written outside the tree")
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed build left its output directory")
			}
		})
	}
}

func TestRootfs_aTreeCommandsCannotRunInFailsTheBuildBeforeProvisioning(t *testing.T) {
	if runtime.GOOS == "linux" {
		skipWithoutIsolation(t) // then the tree's own fault is what fails it
	}
	src := sourceDir(t)
	if err := os.WriteFile(filepath.Join(src, "proc"), []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	hook := &provisionHook{}
	_, err := build(t, map[string]any{"source": src, "output_directory": out}, hook)
	want := "/proc is not a directory"
	if runtime.GOOS != "linux" {
		want = "needs Linux"
	}
	if err == nil || !strings.Contains(err.Error(), "commands cannot run isolated in the tree") && runtime.GOOS == "linux" || !strings.Contains(err.Error(), want) {
		t.Errorf("Run = %v, want it to say commands cannot run isolated, and why (%q)", err, want)
	}
	if hook.called {
		t.Error("the provisioners ran although commands could not be isolated")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left its output directory")
	}
}

func TestRootfs_prepareNamesEveryProblem(t *testing.T) {
	_, err := new(Builder).Prepare(map[string]any{"format": "rar", "source": "/no/such/dir"})
	for _, want := range []string{`format: "rar" is not one of dir, tar, tar.gz`, "source: "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare = %v, want %q", err, want)
		}
	}
	if _, err := new(Builder).Prepare(map[string]any{"format": "zip"}); err == nil || !strings.Contains(err.Error(), `format: "zip" is not one of`) {
		t.Errorf("a zip output (which cannot hold a root filesystem) = %v", err)
	}
	notArchive := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(notArchive, nil, 0o644)
	if _, err := new(Builder).Prepare(map[string]any{"source": notArchive}); err == nil || !strings.Contains(err.Error(), "neither a directory nor a tar archive") {
		t.Errorf("non-archive source: %v", err)
	}
	for _, format := range []string{"tar", "tar.xz", "tgz", "tar.lz4", "tar.bz2"} {
		if _, err := new(Builder).Prepare(map[string]any{"format": format}); err != nil {
			t.Errorf("format %s: %v", format, err)
		}
	}
}

func TestRootfs_theChrootKeyIsDeprecated(t *testing.T) {
	warnings, err := new(Builder).Prepare(map[string]any{"chroot": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `"chroot" is deprecated and ignored: commands always run isolated in the tree`) {
		t.Errorf("warnings = %q", warnings)
	}
	if warnings, _ := new(Builder).Prepare(map[string]any{}); len(warnings) != 0 {
		t.Errorf("warnings without the key = %q", warnings)
	}
}
