//go:build windows

package plugin

import "os"

// processAlive reports whether pid is a live process.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}

// killFromOutside kills the process, as a user would.
func killFromOutside(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

// strayWriteToStdout is checked on Linux only (it reads /proc/self/fd).
func strayWriteToStdout() string { return "not checked on Windows" }
