package rootfs

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer/packertest"
)

// specialTree is a source with what a real root filesystem holds beyond
// files and symlinks: a hard link, a FIFO, a setuid program, a sticky
// directory and, as root, a device node and a file owned by another user.
func specialTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "special")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin", "run", "dev", "tmp", "home/user"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(os.WriteFile(filepath.Join(dir, "bin/sh"), []byte("a shell"), 0o755))
	must(os.Link(filepath.Join(dir, "bin/sh"), filepath.Join(dir, "bin/ash")))
	must(os.WriteFile(filepath.Join(dir, "bin/su"), []byte("setuid"), 0o755))
	must(os.Chmod(filepath.Join(dir, "bin/su"), 0o4755|os.ModeSetuid))
	must(syscall.Mkfifo(filepath.Join(dir, "run/initctl"), 0o600))
	must(os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky))
	if os.Geteuid() == 0 {
		must(syscall.Mknod(filepath.Join(dir, "dev/null"), syscall.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
		must(os.WriteFile(filepath.Join(dir, "home/user/notes"), []byte("mine"), 0o600))
		must(os.Chown(filepath.Join(dir, "home/user/notes"), 1234, 5678))
	}
	return dir
}

func TestRootfs_keepsHardLinksDevicesFIFOsOwnersAndSpecialModes(t *testing.T) {
	skipWithoutIsolation(t)
	first := filepath.Join(t.TempDir(), "first")
	if _, err := build(t, map[string]any{"source": specialTree(t), "output_directory": first, "format": "tar"}, &provisionHook{}); err != nil {
		t.Fatal(err)
	}
	entries := readArchive(t, filepath.Join(first, "rootfs.tar"))
	sh, ash := entries["bin/sh"], entries["bin/ash"]
	if !(sh.typ == tar.TypeLink && sh.link == "bin/ash" && ash.typ == tar.TypeReg) && !(ash.typ == tar.TypeLink && ash.link == "bin/sh" && sh.typ == tar.TypeReg) {
		t.Errorf("bin/sh %+v and bin/ash %+v: want one file and a hard link to it", sh, ash)
	}
	if e := entries["run/initctl"]; e.typ != tar.TypeFifo || e.mode != 0o600 {
		t.Errorf("run/initctl = %+v, want a FIFO with mode 0600", e)
	}
	if e := entries["bin/su"]; e.mode != 0o4755 {
		t.Errorf("bin/su has mode %o, want 4755", e.mode)
	}
	if e := entries["tmp/"]; e.mode != 0o1777 {
		t.Errorf("tmp/ has mode %o, want 1777", e.mode)
	}
	if os.Geteuid() == 0 {
		if e := entries["dev/null"]; e.typ != tar.TypeChar || e.devmajor != 1 || e.devminor != 3 {
			t.Errorf("dev/null = %+v, want the character device 1,3", e)
		}
		if e := entries["home/user/notes"]; e.uid != 1234 || e.gid != 5678 {
			t.Errorf("home/user/notes is owned by %d:%d, want 1234:5678", e.uid, e.gid)
		}
	}

	// The archive back into a tree.
	second := filepath.Join(t.TempDir(), "second")
	if _, err := build(t, map[string]any{"source": filepath.Join(first, "rootfs.tar"), "output_directory": second}, &provisionHook{}); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(second, "rootfs")
	a, errA := os.Stat(filepath.Join(tree, "bin/sh"))
	b, errB := os.Stat(filepath.Join(tree, "bin/ash"))
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		t.Errorf("bin/sh and bin/ash are no longer one file: %v %v", errA, errB)
	}
	if info, err := os.Lstat(filepath.Join(tree, "run/initctl")); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("run/initctl after unpacking: %v, %v", info, err)
	}
	if info, err := os.Stat(filepath.Join(tree, "bin/su")); err != nil || info.Mode()&os.ModeSetuid == 0 {
		t.Errorf("bin/su lost its setuid bit: %v, %v", info, err)
	}
	if info, err := os.Stat(filepath.Join(tree, "tmp")); err != nil || info.Mode()&os.ModeSticky == 0 || info.Mode().Perm() != 0o777 {
		t.Errorf("tmp lost its mode 1777: %v, %v", info, err)
	}
	if os.Geteuid() == 0 {
		var st syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(tree, "dev/null"), &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
			t.Errorf("dev/null after unpacking: mode %o rdev %d, %v", st.Mode, st.Rdev, err)
		}
		if err := syscall.Stat(filepath.Join(tree, "home/user/notes"), &st); err != nil || st.Uid != 1234 || st.Gid != 5678 {
			t.Errorf("home/user/notes after unpacking is owned by %d:%d (%v), want 1234:5678", st.Uid, st.Gid, err)
		}
	}
}

func TestRootfs_devicesAnUnprivilegedBuildCannotMakeAreLeftOutAndSaidSo(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root makes device nodes; this is about a build by another user")
	}
	skipWithoutIsolation(t)
	src := filepath.Join(t.TempDir(), "devices.tar")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	tw.WriteHeader(&tar.Header{Name: "dev/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "dev/null", Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3})
	tw.Close()
	f.Close()
	b := new(Builder)
	if _, err := b.Prepare(map[string]any{"source": src, "output_directory": filepath.Join(t.TempDir(), "out")}); err != nil {
		t.Fatal(err)
	}
	ui := &packertest.Ui{}
	if _, err := b.Run(t.Context(), ui, &provisionHook{}); err != nil {
		t.Fatal(err)
	}
	if said := ui.Shown(); !strings.Contains(said, "Left out 1 device nodes of "+src+": making them needs root") {
		t.Errorf("the Ui got %q, want it told the device was left out", said)
	}
}

// TestRootfs_asAnUnprivilegedUser runs this package's tests again as an
// unprivileged user, when they run as root: then the tree is made, and
// its commands run, in a user namespace, and devices are left out.
func TestRootfs_asAnUnprivilegedUser(t *testing.T) {
	testdeps.RunUnprivileged(t, "^TestRootfs_")
}
