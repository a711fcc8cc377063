//go:build unix && !linux

package plugin

import "syscall"

// setParentDeathSignal does nothing where there is no parent-death signal;
// watchParent covers those systems.
func setParentDeathSignal(*syscall.SysProcAttr) {}
