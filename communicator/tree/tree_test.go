package tree

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
)

func newTree(t *testing.T) (*Communicator, string) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "tree")
	outside := filepath.Join(base, "outside")
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(outside, 0o755)
	return &Communicator{Root: root}, outside
}

func TestTree_uploadAndDownloadStayInsideTheTree(t *testing.T) {
	c, _ := newTree(t)
	if err := c.Upload("/etc/motd", strings.NewReader("welcome"), nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(c.Root, "etc", "motd")); string(got) != "welcome" {
		t.Errorf("etc/motd = %q", got)
	}
	if err := c.Upload("var/lib/new/file", strings.NewReader("x"), nil); err != nil {
		t.Errorf("upload into new directories: %v", err)
	}
	var out bytes.Buffer
	if err := c.Download("/etc/motd", &out); err != nil || out.String() != "welcome" {
		t.Errorf("Download = %q, %v", out.String(), err)
	}
}

func TestTree_pathsThatLeaveTheTreeAreRefusedBeforeAnythingIsWritten(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	c, outside := newTree(t)
	os.Symlink("../outside", filepath.Join(c.Root, "rel"))    // relative, out of the tree
	os.Symlink("/../outside", filepath.Join(c.Root, "above")) // absolute, climbing above its root
	os.Symlink("etc/../..", filepath.Join(c.Root, "climb"))   // up and out, in steps
	os.Symlink("etc", filepath.Join(c.Root, "inside"))        // stays inside: fine
	for _, dst := range []string{"../outside/x", "/etc/../../outside/x", "rel/x", "rel/sub/x", "above/x", "climb/outside/x", "bad\x00name"} {
		err := c.Upload(dst, strings.NewReader("pwned"), nil)
		if err == nil {
			t.Errorf("Upload(%q) succeeded", dst)
		} else if !errors.Is(err, ErrEscape) && !strings.Contains(err.Error(), "NUL") {
			t.Errorf("Upload(%q) = %v, want ErrEscape", dst, err)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("something was written outside the tree: %v", entries)
	}
	if err := c.Download("inside/../../etc/passwd", &bytes.Buffer{}); !errors.Is(err, ErrEscape) {
		t.Errorf("Download through .. = %v", err)
	}
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	for _, src := range []string{"rel/secret", "above/secret"} {
		if err := c.Download(src, &bytes.Buffer{}); !errors.Is(err, ErrEscape) {
			t.Errorf("Download(%q) through a symlink out of the tree = %v", src, err)
		}
	}
	if err := c.DownloadDir("rel/", t.TempDir(), nil); !errors.Is(err, ErrEscape) {
		t.Errorf("DownloadDir through a symlink out of the tree = %v", err)
	}
	if err := c.Upload("inside/hostname", strings.NewReader("box"), nil); err != nil {
		t.Errorf("a symlink that stays inside the tree was refused: %v", err)
	}
}

// TestTree_absoluteSymlinksResolveAgainstTheTree: an absolute symlink in the
// tree means what it means to a command chrooted there, for every file
// operation; one naming a path that exists on this machine reaches the
// tree's, never this machine's.
func TestTree_absoluteSymlinksResolveAgainstTheTree(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	c, outside := newTree(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(c.Root, "run"), 0o755))
	must(os.MkdirAll(filepath.Join(c.Root, "var"), 0o755))
	must(os.MkdirAll(filepath.Join(c.Root, "usr/share/zoneinfo"), 0o755))
	must(os.WriteFile(filepath.Join(c.Root, "usr/share/zoneinfo/UTC"), []byte("tzdata"), 0o644))
	must(os.Symlink("/run", filepath.Join(c.Root, "var/run")))
	must(os.Symlink("/usr/share/zoneinfo/UTC", filepath.Join(c.Root, "etc/localtime")))
	must(os.Symlink(outside, filepath.Join(c.Root, "host")))            // a path of this machine, meant in the tree
	must(os.Symlink("b", filepath.Join(c.Root, "a")))                   // a chain: relative, then absolute
	must(os.Symlink("/var/run", filepath.Join(c.Root, "b")))            //
	must(os.Symlink("../../run", filepath.Join(c.Root, "usr/share/r"))) // ".." that stays inside
	must(os.Symlink("loop2", filepath.Join(c.Root, "loop1")))
	must(os.Symlink("loop1", filepath.Join(c.Root, "loop2")))
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte("this machine's"), 0o644))

	for dst, want := range map[string]string{
		"/var/run/pid":      "run/pid",
		"/etc/localtime":    "usr/share/zoneinfo/UTC",
		"/a/chained":        "run/chained",
		"/usr/share/r/deep": "run/deep",
		"/host/x":           strings.TrimPrefix(outside, "/") + "/x",
		"/var/run/new/dirs": "run/new/dirs",
	} {
		if err := c.Upload(dst, strings.NewReader(dst), nil); err != nil {
			t.Errorf("Upload(%q): %v", dst, err)
			continue
		}
		if got, err := os.ReadFile(filepath.Join(c.Root, want)); err != nil || string(got) != dst {
			t.Errorf("Upload(%q) should have written TREE/%s: %q, %v", dst, want, got, err)
		}
		var back bytes.Buffer
		if err := c.Download(dst, &back); err != nil || back.String() != dst {
			t.Errorf("Download(%q) = %q, %v", dst, back.String(), err)
		}
	}
	if link, err := os.Readlink(filepath.Join(c.Root, "etc/localtime")); err != nil || link != "/usr/share/zoneinfo/UTC" {
		t.Errorf("etc/localtime is no longer the symlink: %q, %v", link, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("this machine's %s was written to: %v", outside, entries)
	}
	var got bytes.Buffer
	if err := c.Download("/host/secret", &got); err == nil || got.Len() > 0 {
		t.Errorf("Download(/host/secret) read this machine's file: %q, %v", got.String(), err)
	}
	if err := c.Upload("/loop1/x", strings.NewReader("x"), nil); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("Upload through a symlink loop = %v, want ELOOP", err)
	}

	src := filepath.Join(t.TempDir(), "conf")
	must(os.MkdirAll(src, 0o755))
	must(os.WriteFile(filepath.Join(src, "app.conf"), []byte("conf"), 0o644))
	if err := c.UploadDir("/var/run/", src+"/", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(c.Root, "run/app.conf")); string(got) != "conf" {
		t.Errorf("UploadDir through var/run -> /run: run/app.conf = %q", got)
	}
	back := t.TempDir()
	if err := c.DownloadDir("/var/run", back, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(back, "run", "app.conf")); string(got) != "conf" {
		t.Errorf("DownloadDir(/var/run) into run/ (its own name): app.conf = %q", got)
	}
}

func TestTree_directoriesCopyBothWays(t *testing.T) {
	c, _ := newTree(t)
	src := filepath.Join(t.TempDir(), "site")
	os.MkdirAll(filepath.Join(src, "css"), 0o755)
	os.WriteFile(filepath.Join(src, "css", "a.css"), []byte("a"), 0o600)
	if err := c.UploadDir("/srv", src, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(c.Root, "srv", "site", "css", "a.css"))
	if err != nil || (runtime.GOOS != "windows" && info.Mode().Perm() != 0o600) {
		t.Fatalf("uploaded file: %v %v", info, err)
	}
	back := t.TempDir()
	if err := c.DownloadDir("/srv/site/", back, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(back, "css", "a.css")); string(got) != "a" {
		t.Errorf("downloaded a.css = %q", got)
	}
	if err := c.UploadDir("../x", src, nil); !errors.Is(err, ErrEscape) {
		t.Errorf("UploadDir to .. = %v", err)
	}
}

func TestTree_aDirectoryDownloadNeverWritesThroughASymlinkInTheDestination(t *testing.T) {
	c, _ := newTree(t)
	os.MkdirAll(filepath.Join(c.Root, "srv", "sub"), 0o755)
	os.WriteFile(filepath.Join(c.Root, "srv", "sub", "file.txt"), []byte("payload"), 0o644)
	outside, dst := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dst, "sub")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := c.DownloadDir("/srv/", dst, nil); !errors.Is(err, local.ErrOutsideDestination) {
		t.Errorf("DownloadDir into a planted symlink = %v, want local.ErrOutsideDestination", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("%d entries written outside the destination", len(entries))
	}
}
