package ssh

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer/packertest"
	"github.com/packer-classic/packer/provisioner/shell"
)

// killSSHSession is a script line that kills the sshd process serving its
// connection, which drops the connection as a reboot does.
const killSSHSession = `p=$PPID; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done; kill -9 $p`

func provision(t *testing.T, comm *Communicator, config map[string]any) error {
	t.Helper()
	var p shell.Provisioner
	if err := p.Prepare(config); err != nil {
		t.Fatal(err)
	}
	return p.Provision(context.Background(), &packertest.Ui{}, comm)
}

func TestShellExpectDisconnectWorksAcrossAReboot(t *testing.T) {
	comm, _ := newComm(t, nil)
	dir := t.TempDir()
	err := provision(t, comm, map[string]any{
		"inline":            []string{"echo rebooting", killSSHSession},
		"expect_disconnect": true,
		"remote_folder":     dir,
	})
	if err != nil {
		t.Fatalf("the provisioner that reboots: %v", err)
	}
	marker := filepath.Join(dir, "after")
	if err := provision(t, comm, map[string]any{
		"inline":        []string{"echo up > " + marker},
		"remote_folder": dir,
	}); err != nil {
		t.Fatalf("the provisioner after the reboot: %v", err)
	}
	if data, err := os.ReadFile(marker); err != nil || string(data) != "up\n" {
		t.Errorf("after the reboot: %q, %v", data, err)
	}

	err = provision(t, comm, map[string]any{
		"inline":        []string{killSSHSession},
		"remote_folder": dir,
	})
	if err == nil || !strings.Contains(err.Error(), "expect_disconnect") {
		t.Errorf("a disconnect not expected: %v", err)
	}
}
