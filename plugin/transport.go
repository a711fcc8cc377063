package plugin

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// transport reads ClientConfig.Transport, else PACKER_PLUGIN_TRANSPORT.
// For "unix" it makes the private
// directory (mode 0700, the core's alone) the plugin's socket goes in,
// records the socket the handshake must name, and returns the directory
// for the plugin's environment; for "tcp", the default, it returns "".
// The directory is removed with the process (see removeUnixDir).
func (c *Client) transport() (string, error) {
	t := c.config.Transport
	if t == "" {
		t = strings.TrimSpace(os.Getenv(TransportEnv))
	}
	switch t {
	case "", "tcp":
		return "", nil
	case "unix":
		if runtime.GOOS == "windows" {
			return "", fmt.Errorf("%s=unix: Windows has no unix-socket transport here; use tcp", TransportEnv)
		}
		dir, err := os.MkdirTemp("", "packer-plugin-")
		if err != nil {
			return "", fmt.Errorf("making the private directory for its socket (%s=unix): %w", TransportEnv, err)
		}
		c.unixSocket = filepath.Join(dir, unixSocketName)
		return dir, nil
	default:
		return "", fmt.Errorf("%s=%q: use tcp (the default) or unix", TransportEnv, t)
	}
}

// removeUnixDir removes the unix transport's directory, with the socket.
func (c *Client) removeUnixDir() {
	if c.unixSocket != "" {
		os.RemoveAll(filepath.Dir(c.unixSocket))
	}
}
