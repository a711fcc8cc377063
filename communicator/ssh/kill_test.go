package ssh

import (
	"strings"
	"testing"
)

// scan feeds chunks to a pidScanner and returns what it let through.
func scan(chunks ...string) (string, *pidScanner) {
	s := newPIDScanner()
	var out strings.Builder
	for _, c := range chunks {
		out.Write(s.feed([]byte(c)))
	}
	out.Write(s.end())
	return out.String(), s
}

func TestPIDScannerTakesOutTheMarkerLine(t *testing.T) {
	for _, tc := range []struct {
		chunks []string
		out    string
		pid    int
	}{
		{[]string{"packer-ssh-pid=123\nhello\n"}, "hello\n", 123},
		{[]string{"pack", "er-ssh-p", "id=4", "5\r", "\nrest"}, "rest", 45},
		// A login script's chatter comes first, and is kept.
		{[]string{"Welcome!\npacker-ssh-pid=7\nout"}, "Welcome!\nout", 7},
		{[]string{"papacker-ssh-pid=8\n"}, "pa", 8},
		// After the marker line, output that looks like it is the
		// command's own.
		{[]string{"packer-ssh-pid=9\npacker-ssh-pid=10\n"}, "packer-ssh-pid=10\n", 9},
		// Without a marker, nothing is lost.
		{[]string{"packer-ssh", ""}, "packer-ssh", 0},
		{[]string{"packer-ssh-pid=12"}, "packer-ssh-pid=12", 0},
		{[]string{"packer-ssh-pid=1x2\n"}, "packer-ssh-pid=1x2\n", 0},
		{nil, "", 0},
	} {
		out, s := scan(tc.chunks...)
		if out != tc.out || s.pid != tc.pid {
			t.Errorf("%q: let through %q with pid %d, want %q with pid %d", tc.chunks, out, s.pid, tc.out, tc.pid)
		}
		select {
		case <-s.found:
		default:
			t.Errorf("%q: found is not closed at the end of the output", tc.chunks)
		}
	}
}

func TestTheMarkerIsLeftOutForWindowsServers(t *testing.T) {
	if got := withPIDEcho("dir", []byte("SSH-2.0-OpenSSH_for_Windows_8.1")); got != "dir" {
		t.Errorf("got %q", got)
	}
	if got := withPIDEcho("ls", []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2")); got != "echo packer-ssh-pid=$$; ls" {
		t.Errorf("got %q", got)
	}
}
