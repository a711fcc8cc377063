package plugin

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// setParentDeathSignal asks Linux to send the plugin SIGTERM when the
// thread that started it dies; the plugin then winds down as when its
// connection closes, letting running calls kill their commands.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}

// dupStderrOntoStdout makes descriptor 1 a copy of descriptor 2.
func dupStderrOntoStdout() error { return syscall.Dup3(2, 1, 0) }

// endOwnGroup kills every other process of the process group this process
// leads (a core starts every plugin leading one): what the plugin started
// and left behind, which no core may be left to kill. It does nothing in a
// process that leads no group (a plugin started by hand). coreGone is not
// needed here: Linux lists the group's members, so this process can spare
// itself and exit as it means to.
func endOwnGroup(coreGone bool) {
	self := os.Getpid()
	if syscall.Getpgrp() != self {
		return
	}
	// Members may start others while they are looked for: look again
	// until none is left (a bound, for one that forks faster).
	for range 100 {
		if killGroupMembers(self) == 0 {
			return
		}
	}
}

// killGroupMembers SIGKILLs every live process of group pgid but this one,
// read from /proc, and returns how many it found.
func killGroupMembers(pgid int) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	found := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone while we looked
		}
		// After the parenthesised name: state, ppid, pgrp, ...
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if group, err := strconv.Atoi(fields[2]); err == nil && group == pgid {
			syscall.Kill(pid, syscall.SIGKILL)
			found++
		}
	}
	return found
}
