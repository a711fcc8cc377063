//go:build unix && !linux

package qemu

import "syscall"

// processAttr puts qemu in its own process group, so a Ctrl-C at the
// terminal reaches packer (which stops qemu in order) and not qemu itself.
// Outside Linux there is no parent-death signal: the plugin's cleanup is
// what stops qemu.
func processAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }
