package e2e

import (
	"syscall"
	"testing"
)

// TestE2E_ctrlCToTheWholeProcessGroupCancelsCleanly does what a terminal
// does on Ctrl-C: SIGINT to packer's whole process group while a
// provisioner's command runs. Plugins ignore it (the core decides), the
// build is cancelled through its context, packer exits 130, and the
// command is gone.
func TestE2E_ctrlCToTheWholeProcessGroupCancelsCleanly(t *testing.T) {
	e := newEnv(t)
	e.writeFile("template.json", `{
		"builders": [{"type": "null", "communicator": "none"}],
		"provisioners": [{"type": "shell-local", "inline": ["echo sleeping in pid $$", "exec sleep 1000"]}]
	}`)
	cmd := e.command("build", "template.json")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // packer leads a group, as in a shell
	r := e.startCmd(cmd)
	sleeper := pidFrom(t, r.waitFor(r.stdout, "sleeping in pid"))

	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := r.wait()
	if code != exitInterrupted {
		t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
	}
	waitGone(t, sleeper, "the provisioner's command")
	assertNoProcessesFrom(t, bins.dir)
}
