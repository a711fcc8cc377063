package testdeps

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// UnprivilegedUID is the user RunUnprivileged runs tests as: nobody.
const UnprivilegedUID = 65534

// RunUnprivileged runs the tests that match the -test.run pattern again,
// in a copy of the test binary started as UnprivilegedUID, when the tests
// run as root: what a root-only path would hide shows there. It fails t
// when they fail, and skips it loudly when they skipped (the child's
// output says why); it logs their output either way. Unless root, it skips
// t: the tests already run unprivileged.
func RunUnprivileged(t *testing.T, pattern string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the tests already run unprivileged")
	}
	base, err := os.MkdirTemp("", "unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, filepath.Base(self))
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	// The child's own temporary directory and home.
	home := filepath.Join(base, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, UnprivilegedUID, UnprivilegedUID); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run="+pattern, "-test.count=1", "-test.v")
	cmd.Dir = home
	cmd.Env = append(os.Environ(), "TMPDIR="+home, "HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: UnprivilegedUID, Gid: UnprivilegedUID}}
	out, err := cmd.CombinedOutput()
	t.Logf("the tests %s as uid %d:\n%s", pattern, UnprivilegedUID, out)
	if err != nil {
		t.Fatalf("the tests %s failed as uid %d: %v", pattern, UnprivilegedUID, err)
	}
	if bytes.Contains(out, []byte("SKIPPED")) {
		t.Skipf("SKIPPED: some of the tests %s skipped as uid %d (their output above says why)", pattern, UnprivilegedUID)
	}
	if !bytes.Contains(out, []byte("--- PASS")) {
		t.Errorf("no test matching %s ran as uid %d", pattern, UnprivilegedUID)
	}
}
