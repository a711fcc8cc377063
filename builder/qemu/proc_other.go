//go:build !linux

package qemu

import "os/exec"

// dieWithPlugin does nothing: outside Linux there is no parent-death
// signal, and the plugin's cleanup is what stops qemu.
func dieWithPlugin(*exec.Cmd) {}
