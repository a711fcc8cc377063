//go:build unix

package plugin

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// processAlive reports whether pid is a live process (a zombie is not).
func processAlive(pid int) bool {
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// The state follows the parenthesised command name.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
	}
	return syscall.Kill(pid, 0) == nil
}

// killFromOutside sends SIGKILL, as a user or the OOM killer would.
func killFromOutside(pid int) { syscall.Kill(pid, syscall.SIGKILL) }
