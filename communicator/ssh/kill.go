package ssh

// Killing a cancelled command. The SSH "signal" request would be the way,
// and OpenSSH answers it by signalling the command's whole process group,
// but OpenSSH refuses it for root logins ("session signalling requires
// privilege separation"), the usual login on a machine being built, and
// other servers signal only the shell. Closing the session does not help:
// sshd keeps a session whose command still runs, and the command dies only
// if it writes to its closed output.
//
// So every command is prefixed with an echo of the shell's process id, a
// line the communicator takes out of the command's standard output. sshd
// runs each command as the leader of a process session and group of its
// own, so that id names the group of everything the command started, and a
// cancelled command is killed with `kill -9 -PID` run in a second session.
// The echo is valid in every Unix shell a login may have (sh, bash, dash,
// zsh, ksh, busybox, csh); Windows servers, whose shells differ, get the
// command as it is, and the signal request alone.

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// pidMarker starts the line the prefix writes; the process id follows.
const pidMarker = "packer-ssh-pid="

// withPIDEcho returns command prefixed with the echo of the shell's process
// id, unless the server (by its version string) is a Windows one.
func withPIDEcho(command string, serverVersion []byte) string {
	if bytes.Contains(bytes.ToLower(serverVersion), []byte("windows")) {
		return command
	}
	return "echo " + pidMarker + "$$; " + command
}

// pidScanner takes the marker line out of the start of a command's output.
// Only what precedes the marker (a login script's chatter) is ever held
// back, and only while it could still be the marker.
type pidScanner struct {
	held   []byte
	inPID  bool
	digits []byte
	pid    int  // 0 when the output had no marker
	done   bool // the marker line was read, or the output ended first
	found  chan struct{}
}

func newPIDScanner() *pidScanner { return &pidScanner{found: make(chan struct{})} }

// feed takes the next bytes of output and returns those that are the
// command's.
func (s *pidScanner) feed(p []byte) []byte {
	if s.done {
		return p
	}
	var out []byte
	for i, b := range p {
		if s.inPID {
			switch {
			case b >= '0' && b <= '9':
				s.digits = append(s.digits, b)
			case b == '\r':
			case b == '\n':
				s.pid, _ = strconv.Atoi(string(s.digits))
				s.finish()
				return append(out, p[i+1:]...)
			default:
				// Not the marker after all.
				out = append(out, pidMarker...)
				out = append(out, s.digits...)
				s.finish()
				return append(out, p[i:]...)
			}
			continue
		}
		s.held = append(s.held, b)
		for len(s.held) > 0 && !strings.HasPrefix(pidMarker, string(s.held)) {
			out = append(out, s.held[0])
			s.held = s.held[1:]
		}
		if len(s.held) == len(pidMarker) {
			s.inPID, s.held = true, nil
		}
	}
	return out
}

// end is called when the output has ended and returns what feed held back.
func (s *pidScanner) end() []byte {
	if s.done {
		return nil
	}
	out := s.held
	if s.inPID {
		out = append([]byte(pidMarker), s.digits...)
	}
	s.finish()
	return out
}

func (s *pidScanner) finish() {
	s.done = true
	s.held, s.digits = nil, nil
	close(s.found)
}

// kill ends a cancelled command running in session on l: the signal
// request, then `kill -9` of the process group the command leads, in a
// session of its own on the same connection (never a new one: a lost
// connection took the command with it), then closing the command's
// session. It reports whether the group was killed.
func kill(l *link, session *ssh.Session, pid int) bool {
	session.Signal(ssh.SIGKILL)
	killed := false
	if pid > 1 {
		if killer, err := l.newSession(); err == nil {
			id := strconv.Itoa(pid)
			killed = killer.Run("kill -9 -"+id+" || kill -9 "+id) == nil
			killer.Close()
		}
	}
	session.Close()
	return killed
}
