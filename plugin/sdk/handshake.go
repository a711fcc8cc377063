package sdk

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// The handshake an SDK plugin prints: APIMAJOR|APIMINOR|NETWORK|ADDRESS.
const (
	apiMajor = "5"
	apiMinor = "0"
)

// parseHandshake reads an SDK plugin's handshake line and returns the
// network and address to dial, refusing any API but 5.0. privateDir, when
// not empty, is where a unix socket must be: the plugin's TMPDIR.
func parseHandshake(line, privateDir string) (network, addr string, err error) {
	line = strings.TrimRight(line, "\r\n")
	parts := strings.SplitN(line, "|", 4)
	switch {
	case len(parts) == 3:
		return "", "", fmt.Errorf("it printed %q, the handshake of plugin protocol 4 or older, which Packer stopped running long ago; install a version of the plugin built with packer-plugin-sdk", truncate(line))
	case len(parts) < 4:
		return "", "", fmt.Errorf("it printed %q instead of its handshake line (5|0|unix|PATH)", truncate(line))
	case parts[0] != apiMajor:
		return "", "", fmt.Errorf("it speaks plugin API %s.%s and this packer runs plugins of API %s.%s; install a version of the plugin built for API x%s.%s", parts[0], parts[1], apiMajor, apiMinor, apiMajor, apiMinor)
	case parts[1] != apiMinor:
		return "", "", fmt.Errorf("it speaks plugin API %s.%s, newer than the %s.%s this packer runs; use a version of the plugin for API x%s.%s", parts[0], parts[1], apiMajor, apiMinor, apiMajor, apiMinor)
	}
	network, addr = parts[2], parts[3]
	switch network {
	case "unix":
		if privateDir != "" && filepath.Dir(addr) != filepath.Clean(privateDir) {
			return "", "", fmt.Errorf("it listens on %s, outside the private directory packer made for its socket (%s, its TMPDIR); packer does not connect to a socket others could have made", addr, privateDir)
		}
	case "tcp":
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return "", "", fmt.Errorf("it listens on %s, which is not a loopback address; packer connects to plugins on this machine only", addr)
		}
	default:
		return "", "", fmt.Errorf("it listens on network %q; an SDK plugin listens on unix or tcp", network)
	}
	return network, addr, nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
