package ssh

import (
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// TestCommunicatorContract runs the conformance kit against a real sshd
// with each file transfer method. (With ssh_pty the two output streams are
// one, by design, which the kit's rules do not allow.)
func TestCommunicatorContract(t *testing.T) {
	for name, tweak := range map[string]func(*Config){
		"scp":  func(c *Config) { c.FileTransferMethod = TransferSCP },
		"sftp": func(c *Config) { c.FileTransferMethod = TransferSFTP },
	} {
		t.Run(name, func(t *testing.T) {
			packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
				comm, _ := newComm(t, tweak)
				return comm, t.TempDir()
			})
		})
	}
}
