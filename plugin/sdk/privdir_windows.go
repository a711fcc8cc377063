//go:build windows

package sdk

// makePrivateDir makes nothing on Windows, where SDK plugins listen on a
// TCP port of the range, not a socket.
func makePrivateDir() (string, error) { return "", nil }
