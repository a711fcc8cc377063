//go:build unix

package plugin

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestSignals_commandsAPluginStartsInheritNoIgnoredSignal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	out, err := helperCmd("held-signals-child").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	hex, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "SigIgn:")
	if !ok {
		t.Fatalf("unexpected output %q", out)
	}
	mask, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGPIPE} {
		if mask&(1<<(uint(sig)-1)) != 0 {
			t.Errorf("a command started by the plugin ignores %v (SigIgn %s): a script could not be interrupted or see a broken pipe", sig, strings.TrimSpace(hex))
		}
	}
}

func TestSignals_aPluginOutlivesTheLossOfItsStderrReader(t *testing.T) {
	cmd := helperCmd("held-signals-stderr-gone")
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderrW
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderrW.Close()
	stderrR.Close() // as when the core dies: nobody reads the plugin's stderr
	stdin.Write([]byte("go\n"))
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	err = cmd.Wait()
	if line != "alive\n" || err != nil {
		t.Errorf("after writing to a stderr nobody reads, the plugin printed %q and exited with %v; want it alive (a SIGPIPE death leaves its commands behind)", line, err)
	}
}
