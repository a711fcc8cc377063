package testdeps

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BusyboxTree makes at dir a root filesystem commands can run in: a static
// busybox as /bin/busybox with a link for every applet it has, /etc, /tmp
// (mode 1777), /run and Debian's var/run -> /run. It skips t loudly unless
// a static busybox is installed (Debian's busybox-static): a dynamic one
// cannot run in a tree without its libraries.
func BusyboxTree(t testing.TB, dir string) string {
	t.Helper()
	busybox := Need(t, "busybox")[0]
	if f, err := elf.Open(busybox); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				f.Close()
				t.Skipf("SKIPPED: this test needs a static busybox, and %s is dynamically linked; install busybox-static", busybox)
			}
		}
		f.Close()
	}
	list, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		t.Fatalf("%s --list: %v", busybox, err)
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"bin", "etc", "run", "var", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/run", filepath.Join(dir, "var", "run")); err != nil {
		t.Fatal(err)
	}
	return dir
}
