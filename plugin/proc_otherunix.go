//go:build unix && !linux

package plugin

import "syscall"

// setParentDeathSignal does nothing where there is no parent-death signal;
// parentGone covers those systems.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// dupStderrOntoStdout makes descriptor 1 a copy of descriptor 2.
func dupStderrOntoStdout() error { return syscall.Dup2(2, 1) }
