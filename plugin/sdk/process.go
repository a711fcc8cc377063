package sdk

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/sdkrpc"
)

// Config says which component of which SDK plugin to start.
type Config struct {
	// Path is the plugin binary.
	Path string
	// Kind and Component name what to start: `Path start KIND COMPONENT`,
	// Component as the plugin's describe names it (plugin.SDKDefaultName
	// for its default one).
	Kind      packer.Kind
	Component string
	// Name prefixes its log lines and names it in errors.
	Name string
	// Supervisor ends it with every plugin; its Guardian, when set, stands
	// between the core and the plugin (see plugin.Guard).
	Supervisor *plugin.Supervisor
	// StartTimeout bounds the wait for the handshake; zero means
	// PACKER_PLUGIN_TIMEOUT, else 60s.
	StartTimeout time.Duration
	// MinPort and MaxPort are the port range (SDK plugins listen on TCP
	// only on Windows); zero means the environment's, else 10000-25000.
	MinPort, MaxPort int
	// Logger receives the plugin's stderr and what goes wrong; nil
	// discards.
	Logger *log.Logger
}

// killGrace is how long Kill waits for the plugin to exit once its
// connection is closed, before killing its group.
const killGrace = 2 * time.Second

// maxHandshakeLine bounds the first line read from the plugin.
const maxHandshakeLine = 4096

// Process is one SDK plugin process serving one component.
type Process struct {
	config     Config
	logger     *log.Logger
	stderr     *plugin.LineLog
	privateDir string

	mu     sync.Mutex
	cmd    *exec.Cmd
	conn   *sdkrpc.Conn
	killed bool

	exited   chan struct{} // closed once the process has exited and its output is read
	exitErr  error
	killOnce sync.Once

	started  chan struct{} // closed once start has succeeded or failed
	startErr error
}

// Start starts the plugin, reads its handshake, and connects to it. A
// failure names the plugin, says what happened, and quotes its last lines
// on stderr; nothing of it is left running.
func Start(config Config) (*Process, error) {
	p := StartInBackground(config)
	if _, err := p.wait(); err != nil {
		return nil, err
	}
	return p, nil
}

// StartInBackground starts the plugin as Start does, without waiting for
// it: its component (Component) waits on first use, and fails then if the
// start did. A build's plugins so start side by side, as each takes a
// moment to load and answer.
func StartInBackground(config Config) *Process {
	p := &Process{config: config, logger: config.Logger, exited: make(chan struct{}), started: make(chan struct{})}
	if p.logger == nil {
		p.logger = log.New(io.Discard, "", 0)
	}
	if p.config.Name == "" {
		p.config.Name = filepath.Base(config.Path)
	}
	p.stderr = plugin.NewLineLog(p.logger, p.config.Name)
	if config.Supervisor != nil && !config.Supervisor.Adopt(p) {
		p.startErr = fmt.Errorf("plugin %s was not started: packer is stopping every plugin", p.config.Name)
		close(p.started)
		return p
	}
	go func() {
		defer close(p.started)
		if err := p.start(); err != nil {
			p.startErr = err
			p.Kill()
		}
	}()
	return p
}

// wait waits for the start and returns the connection, or why there is
// none.
func (p *Process) wait() (*sdkrpc.Conn, error) {
	<-p.started
	if p.startErr != nil {
		return nil, p.startErr
	}
	return p.conn, nil
}

func (p *Process) start() error {
	timeout, env, err := p.settings()
	if err != nil {
		return fmt.Errorf("cannot start plugin %s: %w", p.config.Name, err)
	}
	args := []string{"start", string(p.config.Kind), p.config.Component}
	path := p.config.Path
	if s := p.config.Supervisor; s != nil && s.Guardian != "" {
		path, args = s.Guardian, append([]string{plugin.BuiltinSubcommand, plugin.GuardArg, p.config.Path}, args...)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	// No stdin, as for this packer's own plugins: the terminal is the core's (a
	// plugin asks through Ui.Ask).
	cmd.Stdin = nil
	plugin.SetProcessGroup(cmd)
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		stdout.Close()
		stdoutW.Close()
		return err
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	p.mu.Lock()
	if p.killed {
		p.mu.Unlock()
		closeAll(stdout, stdoutW, stderr, stderrW)
		return fmt.Errorf("plugin %s was stopped before it started", p.config.Name)
	}
	err = cmd.Start()
	if err == nil {
		p.cmd = cmd
	}
	p.mu.Unlock()
	closeAll(stdoutW, stderrW)
	if err != nil {
		closeAll(stdout, stderr)
		return fmt.Errorf("cannot start plugin %s (%s): %w", p.config.Name, p.config.Path, err)
	}
	handshake := make(chan string, 1)
	p.watch(cmd, stdout, stderr, handshake)
	return p.connect(handshake, timeout)
}

// settings returns the start timeout and the plugin's environment: the
// core's, its TMPDIR the private directory (made here), the magic cookie
// and the port range, as Packer passes them.
func (p *Process) settings() (time.Duration, []string, error) {
	timeout := p.config.StartTimeout
	if timeout == 0 {
		var err error
		if timeout, err = plugin.StartTimeoutFromEnv(); err != nil {
			return 0, nil, err
		}
	}
	ports, err := plugin.PortRangeFromEnv()
	if err != nil {
		return 0, nil, err
	}
	if p.config.MinPort != 0 {
		ports.Min = p.config.MinPort
	}
	if p.config.MaxPort != 0 {
		ports.Max = p.config.MaxPort
	}
	if err := ports.Check(); err != nil {
		return 0, nil, err
	}
	env := os.Environ()
	if p.privateDir, err = makePrivateDir(); err != nil {
		return 0, nil, fmt.Errorf("making the private directory for its socket: %w", err)
	}
	if p.privateDir != "" {
		env = append(env, "TMPDIR="+p.privateDir, plugin.GuardRemoveDirEnv+"="+p.privateDir)
	}
	env = append(env,
		plugin.MagicCookieKey+"="+plugin.MagicCookieValue,
		plugin.MinPortEnv+"="+strconv.Itoa(ports.Min),
		plugin.MaxPortEnv+"="+strconv.Itoa(ports.Max),
	)
	return timeout, env, nil
}

// watch drains the plugin's output from the first byte (stdout's first
// line is the handshake, the rest is logged; stderr is logged), and
// records its exit, removing the private directory then.
func (p *Process) watch(cmd *exec.Cmd, stdout, stderr *os.File, handshake chan<- string) {
	var drained sync.WaitGroup
	drained.Add(2)
	go func() {
		defer drained.Done()
		io.Copy(p.stderr, stderr)
		p.stderr.Flush()
	}()
	go func() {
		defer drained.Done()
		r := bufio.NewReaderSize(stdout, maxHandshakeLine)
		line, err := r.ReadSlice('\n')
		if err == nil || errors.Is(err, bufio.ErrBufferFull) {
			handshake <- string(line)
		}
		rest := plugin.NewLineLog(p.logger, p.config.Name)
		io.Copy(rest, r)
		rest.Flush()
	}()
	go func() {
		err := cmd.Wait()
		os.RemoveAll(p.privateDir)
		// A child that left the group may hold the pipes: not for long.
		done := make(chan struct{})
		go func() {
			drained.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(killGrace):
		}
		closeAll(stdout, stderr)
		p.exitErr = err
		close(p.exited)
	}()
}

// connect waits for the handshake and dials what it names.
func (p *Process) connect(handshake <-chan string, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var line string
	select {
	case line = <-handshake:
	case <-p.exited:
		return p.startError(errors.New("it exited before completing the handshake"))
	case <-timer.C:
		return p.startError(fmt.Errorf("it did not complete the handshake within %s (set %s to wait longer)", timeout, plugin.TimeoutEnv))
	}
	network, addr, err := parseHandshake(line, p.privateDir)
	if err != nil {
		return p.startError(err)
	}
	raw, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return p.startError(fmt.Errorf("dialling the address it announced, %s: %w", addr, err))
	}
	conn, err := sdkrpc.NewConn(raw, sdkrpc.Config{Logger: p.logger, Explain: p.explain})
	if err != nil {
		raw.Close()
		return p.startError(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		conn.Close()
		return fmt.Errorf("plugin %s was stopped while it started", p.config.Name)
	}
	p.conn = conn
	p.logger.Printf("%s: connected on %s %s (pid %d)", p.config.Name, network, addr, p.cmd.Process.Pid)
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}
