package tree

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
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
	os.Symlink(outside, filepath.Join(c.Root, "abs"))      // absolute, out of the tree
	os.Symlink("../outside", filepath.Join(c.Root, "rel")) // relative, out of the tree
	os.Symlink("etc", filepath.Join(c.Root, "inside"))     // stays inside: fine
	for _, dst := range []string{"../outside/x", "/etc/../../outside/x", "abs/x", "rel/x", "abs/sub/x", "bad\x00name"} {
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
	if err := c.Download("abs/../../etc/passwd", &bytes.Buffer{}); !errors.Is(err, ErrEscape) {
		t.Errorf("Download through .. = %v", err)
	}
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	if err := c.Download("abs/secret", &bytes.Buffer{}); !errors.Is(err, ErrEscape) {
		t.Errorf("Download through an absolute symlink = %v", err)
	}
	if err := c.Upload("inside/hostname", strings.NewReader("box"), nil); err != nil {
		t.Errorf("a symlink that stays inside the tree was refused: %v", err)
	}
}

func TestTree_commandsRunInTheTree(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	c, _ := newTree(t)
	var out bytes.Buffer
	cmd := &packer.RemoteCmd{Command: "echo built > etc/issue; ls etc", Stdout: &out}
	if err := c.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if status := cmd.Wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
	if got, _ := os.ReadFile(filepath.Join(c.Root, "etc", "issue")); string(got) != "built\n" || out.String() != "issue\n" {
		t.Errorf("issue = %q, ls = %q", got, out.String())
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

// busyboxTree makes a tree a chrooted command can run in: a static busybox
// with its applets, and the device nodes the kit's commands read.
func busyboxTree(t *testing.T) string {
	t.Helper()
	busybox := testdeps.Need(t, "busybox")[0]
	root := filepath.Join(t.TempDir(), "tree")
	for _, d := range []string{"bin", "dev", "tmp", "kit"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "cat", "echo", "printf", "head", "tr", "kill", "sleep", "ls", "mkdir", "wc", "true"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	for name, minor := range map[string]uint32{"null": 3, "zero": 5} {
		if err := syscall.Mknod(filepath.Join(root, "dev", name), syscall.S_IFCHR|0o666, int(1<<8|minor)); err != nil {
			t.Skipf("cannot make /dev/%s in the test tree: %v", name, err)
		}
	}
	return root
}

func TestCommunicator_chrootedPassesTheConformanceKit(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("chroot needs root on Linux")
	}
	packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
		return &Communicator{Root: busyboxTree(t), Chroot: true}, "/kit"
	})
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
