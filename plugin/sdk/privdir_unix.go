//go:build !windows

package sdk

import (
	"os"
	"path/filepath"
)

// maxSocketDir bounds the private directory's path: the SDK names its
// socket DIR/packer-pluginNNNNNNNNNN, and a unix socket's path must fit in
// 104 bytes on the BSDs and macOS (108 on Linux).
const maxSocketDir = 104 - len("/packer-plugin0123456789") - 1

// makePrivateDir makes the directory an SDK plugin's socket goes in (its
// TMPDIR): mode 0700, so only this user can reach the socket, and made
// fresh for each plugin, so no other process knows its name beforehand.
// It is made in the temporary directory, or in /tmp when that one's path is
// too long for a socket in it.
func makePrivateDir() (string, error) {
	parent := os.TempDir()
	if len(filepath.Join(parent, "packer-sdk-0123456789")) > maxSocketDir {
		parent = "/tmp"
	}
	return os.MkdirTemp(parent, "packer-sdk-")
}
