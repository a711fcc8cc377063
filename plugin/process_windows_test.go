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
