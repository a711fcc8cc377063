package plugin

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProtocolVersion is the version of the plugin protocol: a core and a
// plugin speak to each other only when theirs are equal.
const ProtocolVersion = 1

// Environment variables the core sets for a plugin, and the user may set for
// the core.
const (
	// MagicCookieKey and MagicCookieValue mark a process started by a core.
	MagicCookieKey   = "PACKER_PLUGIN_MAGIC_COOKIE"
	MagicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

	// MinPortEnv and MaxPortEnv bound the loopback ports plugins listen on.
	MinPortEnv = "PACKER_PLUGIN_MIN_PORT"
	MaxPortEnv = "PACKER_PLUGIN_MAX_PORT"

	// TimeoutEnv is how long the core waits for a plugin's handshake,
	// and for a multi-component plugin's describe ("90s", or a number of
	// seconds).
	TimeoutEnv = "PACKER_PLUGIN_TIMEOUT"

	// authKeyEnv carries the per-process key both ends prove they hold.
	authKeyEnv = "PACKER_PLUGIN_AUTH_KEY"

	// UnixDirEnv, set by a core that asked for the unix transport
	// (TransportEnv), is a directory of its own, mode 0700, for the
	// plugin's socket.
	UnixDirEnv = "PACKER_PLUGIN_UNIX_DIR"

	// TransportEnv chooses how the core reaches its plugins: "tcp" (the
	// default: a loopback port of the range) or "unix" (a socket in a
	// private directory, as hashicorp/go-plugin does outside Windows;
	// Unix only). The key proof is the same either way.
	TransportEnv = "PACKER_PLUGIN_TRANSPORT"
)

// unixSocketName is the plugin's socket in the directory UnixDirEnv names.
const unixSocketName = "plugin.sock"

// Defaults, as classic Packer.
const (
	DefaultMinPort      = 10000
	DefaultMaxPort      = 25000
	DefaultStartTimeout = 60 * time.Second
)

// handshakePrefix starts the one line a plugin prints on stdout.
const handshakePrefix = "PACKER-PLUGIN"

// maxHandshakeLine bounds the handshake line: a plugin that prints a
// megabyte without a newline is an error, not an allocation.
const maxHandshakeLine = 512

func handshakeLine(addr net.Addr) string {
	return fmt.Sprintf("%s|%d|%s|%s\n", handshakePrefix, ProtocolVersion, addr.Network(), addr.String())
}

// parseHandshake checks the plugin's line and returns the address to dial:
// a loopback TCP address, or, when the core asked for the unix transport,
// exactly the socket it expects (unixSocket).
func parseHandshake(line, unixSocket string) (string, error) {
	line = strings.TrimRight(line, "\r\n")
	parts := strings.Split(line, "|")
	if len(parts) != 4 || parts[0] != handshakePrefix {
		return "", fmt.Errorf("it printed %q instead of its handshake line (%s|%d|tcp|ADDRESS); is it a Packer plugin, and does it print to stdout before serving?", truncate(line, 80), handshakePrefix, ProtocolVersion)
	}
	version, err := strconv.Atoi(parts[1])
	if err != nil {
		return "", fmt.Errorf("its handshake line %q has no protocol version", truncate(line, 80))
	}
	if version != ProtocolVersion {
		return "", fmt.Errorf("it speaks plugin protocol %d and this packer speaks %d; use a build of the plugin made for this version of packer", version, ProtocolVersion)
	}
	if unixSocket != "" {
		if parts[2] != "unix" || parts[3] != unixSocket {
			return "", fmt.Errorf("it announced %s address %q, where this packer asked for the socket %s (%s=unix)", parts[2], parts[3], unixSocket, TransportEnv)
		}
		return parts[3], nil
	}
	if parts[2] != "tcp" {
		return "", fmt.Errorf("it announced a %q address; only tcp is supported", parts[2])
	}
	host, _, err := net.SplitHostPort(parts[3])
	if err != nil {
		return "", fmt.Errorf("it announced a malformed address %q: %v", parts[3], err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("it announced %q, which is not a loopback address; plugins must listen on 127.0.0.1 only", parts[3])
	}
	return parts[3], nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// PortRange is the range of loopback ports plugins may listen on.
type PortRange struct{ Min, Max int }

// PortRangeFromEnv reads PACKER_PLUGIN_MIN_PORT and PACKER_PLUGIN_MAX_PORT,
// with the defaults for what is unset, and checks the range.
func PortRangeFromEnv() (PortRange, error) {
	r := PortRange{Min: DefaultMinPort, Max: DefaultMaxPort}
	for _, v := range []struct {
		env string
		to  *int
	}{{MinPortEnv, &r.Min}, {MaxPortEnv, &r.Max}} {
		s := os.Getenv(v.env)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return r, fmt.Errorf("%s=%q is not a port number; set it to a number from 1 to 65535", v.env, s)
		}
		*v.to = n
	}
	return r, r.Check()
}

// Check reports whether the range is usable, saying what to fix.
func (r PortRange) Check() error {
	for _, p := range []struct {
		name string
		v    int
	}{{MinPortEnv, r.Min}, {MaxPortEnv, r.Max}} {
		if p.v < 1 || p.v > 65535 {
			return fmt.Errorf("%s=%d is not a port; set it to a number from 1 to 65535", p.name, p.v)
		}
	}
	if r.Min > r.Max {
		return fmt.Errorf("the plugin port range is empty: %s=%d is above %s=%d", MinPortEnv, r.Min, MaxPortEnv, r.Max)
	}
	return nil
}

// StartTimeoutFromEnv reads PACKER_PLUGIN_TIMEOUT ("90s" or "90"), or
// returns the default.
func StartTimeoutFromEnv() (time.Duration, error) {
	s := strings.TrimSpace(os.Getenv(TimeoutEnv))
	if s == "" {
		return DefaultStartTimeout, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a duration; use a value like 90s or 2m", TimeoutEnv, s)
	}
	return d, nil
}
