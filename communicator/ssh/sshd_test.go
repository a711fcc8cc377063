package ssh

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/packer-classic/packer/internal/testdeps"
)

// sshd is a real OpenSSH server on loopback, run by a test with its own
// configuration, host key and authorized key in a temporary directory.
type sshd struct {
	addr    string // 127.0.0.1:PORT
	port    int
	dir     string
	user    string
	keyFile string // a private key the server accepts
	cmd     *exec.Cmd
	exited  chan struct{}
	logMu   sync.Mutex
	log     strings.Builder
}

// startSSHD starts sshd on a free loopback port and returns once it
// accepts connections; it is stopped, with every session it started, when
// the test ends.
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	sshdPath := ensureSSHD(t)
	s := newSSHDFiles(t)
	for try := 0; ; try++ {
		err := s.start(t, sshdPath, freePort(t))
		if err == nil {
			return s
		}
		// Another process may take the free port before sshd binds it.
		if try == 4 {
			t.Fatalf("starting sshd: %v\n%s", err, s.logText())
		}
	}
}

// ensureSSHD skips t unless OpenSSH's sshd is installed, and returns its
// path.
func ensureSSHD(t *testing.T) string {
	t.Helper()
	return testdeps.Need(t, "/usr/sbin/sshd")[0]
}

// newSSHDFiles writes the host key, a client key and authorized_keys into a
// new temporary directory.
func newSSHDFiles(t *testing.T) *sshd {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &sshd{dir: dir, user: u.Username}
	writePrivateKey(t, filepath.Join(dir, "host_ed25519"))
	s.keyFile = filepath.Join(dir, "id_ed25519")
	public := writePrivateKey(t, s.keyFile)
	authorized := ssh.MarshalAuthorizedKey(public)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), authorized, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// sshd running as root insists on its privilege separation
		// directory, which the Debian package leaves to its service
		// unit to create.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// writePrivateKey writes a new ed25519 private key to path and returns its
// public key.
func writePrivateKey(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	public, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return public
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs sshd on port and waits for it to say it listens, or to exit.
func (s *sshd) start(t *testing.T, sshdPath string, port int) error {
	// SHLVL=1 keeps bash from reading the user's ~/.bashrc, which it does
	// for commands run by sshd at shell level 1 (as Debian builds it): the
	// tests should not depend on, or be slowed by, this machine's dotfiles.
	config := fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s
PidFile none
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding yes
Subsystem sftp internal-sftp
MaxSessions 100
MaxStartups 100
LogLevel VERBOSE
SetEnv SHLVL=1
`, port, filepath.Join(s.dir, "host_ed25519"), filepath.Join(s.dir, "authorized_keys"))
	configPath := filepath.Join(s.dir, "sshd_config")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", configPath)
	dieWithTest(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	listening := make(chan struct{})
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		scanner := bufio.NewScanner(stderr)
		announced := false
		for scanner.Scan() {
			line := scanner.Text()
			s.logMu.Lock()
			s.log.WriteString(line + "\n")
			s.logMu.Unlock()
			if !announced && strings.HasPrefix(line, "Server listening on 127.0.0.1") {
				announced = true
				close(listening)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	exited := make(chan struct{})
	go func() {
		<-logged
		cmd.Wait()
		close(exited)
	}()
	select {
	case <-listening:
	case <-exited:
		return fmt.Errorf("sshd exited before listening on port %d", port)
	}
	s.cmd, s.exited, s.port = cmd, exited, port
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("sshd's log:\n%s", s.logText())
		}
	})
	return nil
}

// stop stops sshd and every process it started (its sessions run in
// sessions of their own, so a process group does not hold them). They get
// SIGTERM, not SIGKILL: a shell killed outright in the middle of a login
// script can leave that script's lock files behind.
func (s *sshd) stop() {
	if s.cmd == nil {
		return
	}
	for _, pid := range descendants(s.cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

func (s *sshd) logText() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name, in parentheses, may hold spaces.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		parent, _ := strconv.Atoi(fields[1])
		children[parent] = append(children[parent], child)
	}
	var all []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			all = append(all, c)
			queue = append(queue, c)
		}
	}
	return all
}

// config returns a prepared Config that logs in to s with its key.
func (s *sshd) config(t *testing.T) *Config {
	t.Helper()
	cfg := &Config{Host: "127.0.0.1", Port: s.port, Username: s.user, PrivateKeyFile: s.keyFile}
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	return cfg
}
