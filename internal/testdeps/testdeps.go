// Package testdeps lets a test say which programs from outside the Go
// toolchain it needs (qemu, sshd, busybox, ...). A test whose program is
// missing is skipped with a message that names the program and the command
// that installs it; `make test` runs .ci/install-deps first, which installs
// them (as root) or warns that these tests will skip.
package testdeps

import (
	"os/exec"
	"strings"
	"testing"
)

// Need skips t unless every program is on PATH (or is an absolute path that
// exists and is executable), and returns their resolved paths in order.
func Need(t testing.TB, programs ...string) []string {
	t.Helper()
	paths := make([]string, 0, len(programs))
	var missing []string
	for _, p := range programs {
		path, err := exec.LookPath(p)
		if err != nil {
			missing = append(missing, p)
			continue
		}
		paths = append(paths, path)
	}
	if len(missing) > 0 {
		t.Skipf("SKIPPED: this test needs %s, which %s not installed here; run .ci/install-deps as root (it installs them from Debian's packages)",
			strings.Join(missing, ", "), map[bool]string{true: "is", false: "are"}[len(missing) == 1])
	}
	return paths
}
