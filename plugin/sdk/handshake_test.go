package sdk

import (
	"strings"
	"testing"
)

func TestParseHandshake(t *testing.T) {
	for _, c := range []struct {
		line, dir, network, addr, err string
	}{
		{line: "5|0|unix|/tmp/p/packer-plugin1\n", dir: "/tmp/p", network: "unix", addr: "/tmp/p/packer-plugin1"},
		{line: "5|0|tcp|127.0.0.1:10000\r\n", network: "tcp", addr: "127.0.0.1:10000"},
		{line: "4|unix|/tmp/x\n", err: "protocol 4 or older"},
		{line: "hello\n", err: `printed "hello" instead of its handshake line`},
		{line: "6|0|unix|/tmp/p/x\n", dir: "/tmp/p", err: "speaks plugin API 6.0 and this packer runs plugins of API 5.0"},
		{line: "5|1|unix|/tmp/p/x\n", dir: "/tmp/p", err: "newer than the 5.0"},
		{line: "5|0|udp|x\n", err: `network "udp"`},
		{line: "5|0|tcp|10.0.0.1:10000\n", err: "not a loopback address"},
		// A socket elsewhere than the private directory is not dialled.
		{line: "5|0|unix|/tmp/other/packer-plugin1\n", dir: "/tmp/p", err: "outside the private directory"},
	} {
		network, addr, err := parseHandshake(c.line, c.dir)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil || network != c.network || addr != c.addr {
			t.Errorf("%q: %q %q %v, want %q %q", c.line, network, addr, err, c.network, c.addr)
		}
	}
}
