package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// stuckDescribe is a packer-plugin-stuck whose describe never finishes: it
// starts a child and waits for it, saying both pids on stderr, so a test
// can check that neither outlives the run.
const stuckDescribe = `#!/bin/sh
if [ "$1" = describe ]; then
  echo "describe shell in pid $$" >&2
  sleep 1000 &
  echo "describe child in pid $!" >&2
  wait
fi
exit 1
`

// describePids reads the two pids stuckDescribe says from the log.
func describePids(t *testing.T, log string) []int {
	t.Helper()
	var pids []int
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "describe shell in pid") || strings.Contains(line, "describe child in pid") {
			pids = append(pids, pidFrom(t, line))
		}
	}
	if len(pids) != 2 {
		t.Fatalf("want the describe's two pids in the log, got %v:\n%s", pids, log)
	}
	return pids
}

// TestE2E_aDescribeThatHangsFailsAfterThePluginTimeout: `packer build` and
// `packer plugins` give a describe PACKER_PLUGIN_TIMEOUT, then kill it and
// everything it started, and say so.
func TestE2E_aDescribeThatHangsFailsAfterThePluginTimeout(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.pathDir, "packer-plugin-stuck"), []byte(stuckDescribe), 0o755)
	e.writeFile("t.json", `{"builders": [{"type": "stuck"}]}`)
	e.extra = append(e.extra, "PACKER_PLUGIN_TIMEOUT=2s", "PACKER_LOG=1")

	r := e.run("build", "t.json")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "packer-plugin-stuck describe")
	mustContain(t, r, "stderr", "did not finish within 2s")
	mustContain(t, r, "stderr", "PACKER_PLUGIN_TIMEOUT")
	for _, pid := range describePids(t, r.stderr) {
		waitGone(t, pid, "the hanging describe")
	}

	r = e.run("plugins")
	if r.code != 0 {
		t.Fatalf("packer plugins: %v", r)
	}
	mustContain(t, r, "stdout", "did not finish within 2s")
	for _, pid := range describePids(t, r.stderr) {
		waitGone(t, pid, "the hanging describe")
	}
}

// TestE2E_aDescribeThatPrintsTooMuchIsRefused: a description is a few lines
// of JSON; a flood is cut off at the limit, not buffered.
func TestE2E_aDescribeThatPrintsTooMuchIsRefused(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.pathDir, "packer-plugin-chatty"), []byte("#!/bin/sh\nexec head -c 67108864 /dev/zero\n"), 0o755)
	e.writeFile("t.json", `{"builders": [{"type": "chatty"}]}`)
	r := e.run("build", "t.json")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "packer-plugin-chatty describe")
	mustContain(t, r, "stderr", "printed more than 1 MiB")

	r = e.run("plugins")
	mustContain(t, r, "stdout", "printed more than 1 MiB")
}

// TestE2E_killingTheCoreDuringADescribeLeavesNoProcess: a describe running
// when packer is killed with SIGKILL goes too, with what it started.
func TestE2E_killingTheCoreDuringADescribeLeavesNoProcess(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.pathDir, "packer-plugin-stuck"), []byte(stuckDescribe), 0o755)
	e.writeFile("t.json", `{"builders": [{"type": "stuck"}]}`)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r, pids := e.startAndReadPids([]string{"build", "t.json"}, "describe shell in pid", "describe child in pid")
	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	waitGone(t, pids[0], "the describe")
	waitGone(t, pids[1], "the describe's child")
}
