//go:build unix

package exitstatus

import (
	"os/exec"
	"testing"
)

func TestOf_theExitCodeOr128PlusTheSignal(t *testing.T) {
	for _, c := range []struct {
		script string
		want   int
	}{{"exit 0", 0}, {"exit 4", 4}, {"kill -9 $$", 128 + 9}, {"kill -TERM $$", 128 + 15}} {
		cmd := exec.Command("/bin/sh", "-c", c.script)
		cmd.Run()
		if got := Of(cmd.ProcessState); got != c.want {
			t.Errorf("sh -c %q: Of = %d, want %d", c.script, got, c.want)
		}
	}
	if got := Of(nil); got != 1 {
		t.Errorf("Of(nil) = %d, want 1", got)
	}
}
