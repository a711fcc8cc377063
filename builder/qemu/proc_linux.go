package qemu

import "syscall"

// processAttr puts qemu in its own process group, so a Ctrl-C at the
// terminal reaches packer (which stops qemu in order) and not qemu itself,
// and has the kernel kill qemu if the plugin process dies, whatever kills it.
func processAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }
