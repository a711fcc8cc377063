package testdeps

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// MountsUnder lists this process's mounts at or below dir (a path without
// symlinks): what a test checks is gone after something it ran mounted
// there in a namespace of its own.
func MountsUnder(t testing.TB, dir string) []string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if fields := strings.Fields(lines.Text()); len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			out = append(out, fields[4])
		}
	}
	return out
}
