//go:build !windows

package sdk

import "os"

// makePrivateDir makes the directory an SDK plugin's socket goes in (its
// TMPDIR): mode 0700, so only this user can reach the socket, and made
// fresh for each plugin, so no other process knows its name beforehand.
func makePrivateDir() (string, error) {
	return os.MkdirTemp("", "packer-sdk-")
}
