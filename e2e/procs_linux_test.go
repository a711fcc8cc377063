package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assertNoProcessesFrom fails if any process is still running an executable
// from dir (the packer binary and the test plugins TestMain built), read from
// /proc: what a user would find with ps after packer exited.
func assertNoProcessesFrom(t *testing.T, dirs ...string) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, e := range entries {
		pid := e.Name()
		if pid == "" || pid[0] < '0' || pid[0] > '9' {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if err != nil {
			continue // exited while we looked
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(args) == 0 {
			continue
		}
		for _, dir := range dirs {
			if strings.HasPrefix(args[0], dir+string(filepath.Separator)) {
				status, _ := os.ReadFile(filepath.Join("/proc", pid, "status"))
				t.Errorf("process %s is still running %q after packer exited\n%s", pid, args, firstLines(string(status), 3))
			}
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
