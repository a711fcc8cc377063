package e2e

import (
	"testing"

	"github.com/packer-classic/packer/communicator/tree"
)

// skipWithoutTreeIsolation skips loudly where commands cannot run isolated
// in a rootfs tree (not Linux; neither root nor user namespaces): a rootfs
// build refuses to start there, before provisioning.
func skipWithoutTreeIsolation(t *testing.T) {
	t.Helper()
	if _, err := (&tree.Communicator{Root: t.TempDir()}).Check(); err != nil {
		t.Skipf("SKIPPED: commands cannot run isolated in a rootfs tree here: %v", err)
	}
}
