//go:build unix

package plugin

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
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

// strayWriteToStdout is what a plugin's C library might do long after the
// handshake: write(1, ...). It opens files until the garbage collector has
// had every chance to close a dropped descriptor 1, writes to descriptor 1,
// and reports whether one of its files received the write.
func strayWriteToStdout() string {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for range 20 {
		runtime.GC()
		f, err := os.CreateTemp("", "fd1-probe")
		if err != nil {
			return "error: " + err.Error()
		}
		os.Remove(f.Name())
		files = append(files, f)
		if f.Fd() == 1 {
			break
		}
	}
	syscall.Write(1, []byte("stray write\n"))
	for _, f := range files {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
		if len(data) > 0 {
			return fmt.Sprintf("a file the plugin opened (descriptor %d) received the write: %q", f.Fd(), data)
		}
	}
	return "fd1-ok"
}

func TestStdout_descriptorOneStaysTheLogForTheLifeOfThePlugin(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/fd")
	}
	c, logs := startHelper(t, "builder", ClientConfig{})
	artifact, err := runBuilder(t, c, "stray-fd1")
	if err != nil {
		t.Fatal(err)
	}
	if artifact.Id() != "fd1-ok" {
		t.Fatal(artifact.Id())
	}
	logs.waitFor("stray write")
}
