package plugin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/rpc"
)

func runBuilder(t *testing.T, c *Client, mode string) (packer.Artifact, error) {
	t.Helper()
	b, err := c.Builder()
	if err != nil {
		t.Fatalf("starting the plugin: %v", err)
	}
	return b.Run(context.Background(), newAnsweringUi(mode), nil)
}

func TestHandshake_aPluginProcessServesItsBuilder(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	artifact, err := runBuilder(t, c, "plain")
	if err != nil {
		t.Fatal(err)
	}
	if artifact.Id() != "plain" || artifact.BuilderId() != "test.helper" {
		t.Errorf("artifact = %q from %q", artifact.Id(), artifact.BuilderId())
	}
	if c.Pid() == 0 || c.Exited() {
		t.Errorf("pid %d, exited %v: want a running process", c.Pid(), c.Exited())
	}
}

func TestPorts_aRangeOfOnePortIsHonoured(t *testing.T) {
	port := freePort(t)
	c, _ := startHelper(t, "builder", ClientConfig{MinPort: port, MaxPort: port})
	if _, err := runBuilder(t, c, "plain"); err != nil {
		t.Fatal(err)
	}
	if got := c.addr; got != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("plugin listens on %s, want port %d", got, port)
	}
}

func TestPorts_aRangeWithEveryPortTakenIsAClearError(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	c, _ := startHelper(t, "builder", ClientConfig{MinPort: port, MaxPort: port})
	err = c.Start()
	for _, want := range []string{"packer-builder-test", "failed to start", "exit status 1", fmt.Sprintf("no free port on 127.0.0.1 in %d-%d", port, port), "PACKER_PLUGIN_MIN_PORT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Start error = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestPorts_anInvalidRangeFailsBeforeAnythingStarts(t *testing.T) {
	for _, tc := range []struct {
		min, max int
		want     string
	}{
		{20000, 10000, "range is empty"},
		{0, 70000, "PACKER_PLUGIN_MAX_PORT=70000 is not a port"},
	} {
		c, _ := startHelper(t, "builder", ClientConfig{MinPort: tc.min, MaxPort: tc.max})
		if tc.min == 0 {
			t.Setenv(MinPortEnv, "1")
		}
		err := c.Start()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("range %d-%d: Start = %v, want %q", tc.min, tc.max, err, tc.want)
		}
		if c.Pid() != 0 {
			t.Errorf("range %d-%d: a process was started", tc.min, tc.max)
		}
	}
}

func TestPorts_aPortEnvironmentVariableThatIsNotANumberIsNamed(t *testing.T) {
	t.Setenv(MaxPortEnv, "lots")
	c, _ := startHelper(t, "builder", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), `PACKER_PLUGIN_MAX_PORT="lots" is not a port number`) {
		t.Errorf("Start = %v", err)
	}
}

func TestPorts_fiftyPluginsStartedAtOnceAllGetPorts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	var clients []*Client
	for range 50 {
		c, _ := startHelper(t, "builder", ClientConfig{MinPort: 20000, MaxPort: 20100})
		clients = append(clients, c)
	}
	errs := make(chan error, len(clients))
	for _, c := range clients {
		go func() { errs <- c.Start() }()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestStart_aPluginThatExitsEarlyFailsAtOnceWithItsStatusAndStderr(t *testing.T) {
	c, _ := startHelper(t, "silent-exit", ClientConfig{StartTimeout: time.Hour})
	err := c.Start()
	for _, want := range []string{"plugin packer-builder-test", "exited before completing the handshake", "exit status 3", "cannot open my configuration: permission denied", c.config.Cmd.Path} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Start = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestStart_garbageInsteadOfTheHandshakeIsAClearError(t *testing.T) {
	c, _ := startHelper(t, "garbage", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), `printed "Hello! I am a plugin and I like to talk." instead of its handshake line`) {
		t.Fatalf("Start = %v", err)
	}
	if !c.Exited() {
		t.Error("the misbehaving plugin was left running")
	}
}

func TestStart_aMegabyteWithoutNewlineIsAnErrorNotAnAllocation(t *testing.T) {
	c, _ := startHelper(t, "no-newline", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), "without a newline") {
		t.Fatalf("Start = %v", err)
	}
}

func TestStart_aPluginThatNeverHandshakesTimesOut(t *testing.T) {
	c, _ := startHelper(t, "never-handshakes", ClientConfig{StartTimeout: 300 * time.Millisecond})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), "did not complete the handshake within 300ms") || !strings.Contains(err.Error(), "PACKER_PLUGIN_TIMEOUT") {
		t.Fatalf("Start = %v", err)
	}
	if !c.Exited() {
		t.Error("the hung plugin was left running")
	}
}

func TestStart_aProtocolVersionMismatchSaysWhatToDo(t *testing.T) {
	c, _ := startHelper(t, "wrong-version", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), "speaks plugin protocol 99 and this packer speaks 1") {
		t.Fatalf("Start = %v", err)
	}
}

func TestStart_anAddressThatIsNotLoopbackIsRefused(t *testing.T) {
	c, _ := startHelper(t, "not-loopback", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("Start = %v", err)
	}
}

func TestStart_tenMegabytesOfStderrBeforeTheHandshakeDoNotDeadlock(t *testing.T) {
	c, logs := startHelper(t, "stderr-flood", ClientConfig{})
	if _, err := runBuilder(t, c, "plain"); err != nil {
		t.Fatal(err)
	}
	c.Kill() // once the process is gone, all its output has been logged
	if n := logs.count("packer-builder-test: eeee"); n != 10<<10 {
		t.Errorf("%d stderr lines logged, want %d", n, 10<<10)
	}
}

func TestAuth_theCoreRefusesAListenerThatDoesNotHoldTheKey(t *testing.T) {
	c, _ := startHelper(t, "impostor", ClientConfig{})
	err := c.Start()
	if err == nil || !strings.Contains(err.Error(), "did not prove it holds this plugin's key") {
		t.Fatalf("Start = %v", err)
	}
}

func TestAuth_thePluginDropsAnIntruderAndKeepsWaitingForItsCore(t *testing.T) {
	key, _ := newAuthKey()
	cmd := helperCmd("builder", MagicCookieKey+"="+MagicCookieValue, authKeyEnv+"="+key)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr, err := parseHandshake(line)
	if err != nil {
		t.Fatal(err)
	}

	// A hostile local process that speaks garbage, or a well-formed RPC
	// session without the key, is dropped before reaching any method.
	for _, hostile := range [][]byte{
		[]byte("GET / HTTP/1.0\r\n\r\n" + strings.Repeat("x", 100)),
		yamuxRPCAttempt(),
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write(hostile)
		conn.(*net.TCPConn).CloseWrite()
		// The plugin drops the connection (EOF or reset) without a word
		// of the protocol.
		if answer, _ := io.ReadAll(conn); len(answer) > 0 {
			t.Errorf("the plugin answered a hostile connection with %q", answer)
		}
		conn.Close()
	}

	// A silent connection does not hold the door for the real core.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	// An intruder with the wrong key is dropped before any RPC.
	intruder, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, _ := decodeAuthKey(strings.Repeat("ab", authKeySize))
	if err := authenticateCore(intruder, wrongKey); err == nil {
		t.Fatal("an intruder with the wrong key was accepted")
	}
	intruder.Close()

	// An intruder that hears the plugin's proof and answers with a wrong
	// one of its own, then speaks RPC, is closed without a byte of RPC.
	forger, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	forger.Write(append([]byte(authHello), make([]byte, nonceSize)...))
	if _, err := io.ReadFull(forger, make([]byte, nonceSize+32)); err != nil {
		t.Fatalf("reading the plugin's proof: %v", err)
	}
	forger.Write(bytes.Repeat([]byte{9}, 32))
	forger.Write([]byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6, 'o', 3, 0, 0, 0, 1}) // a yamux SYN and an object stream header
	if answer, _ := io.ReadAll(forger); len(answer) > 0 {
		t.Errorf("the plugin answered a wrong proof with %q", answer)
	}
	forger.Close()

	// The real core still gets in.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	realKey, _ := decodeAuthKey(key)
	if err := authenticateCore(conn, realKey); err != nil {
		t.Fatalf("the real core was refused: %v", err)
	}
	client, err := rpc.NewClient(conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	builder, err := client.Component(packer.KindBuilder)
	if err != nil {
		t.Fatal(err)
	}
	artifact, err := builder.(packer.Builder).Run(context.Background(), newAnsweringUi("plain"), nil)
	if err != nil || artifact.Id() != "plain" {
		t.Fatalf("Run after the intruder = %v, %v", artifact, err)
	}
}

func TestMagicCookie_aPluginRunByHandSaysWhatItIs(t *testing.T) {
	cmd := helperCmd("builder")
	out, err := cmd.CombinedOutput()
	var exitErr interface{ ExitCode() int }
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("exit = %v, want status 1", err)
	}
	if !strings.Contains(string(out), "is a Packer plugin: it is not meant to be run by hand") {
		t.Errorf("output = %q", out)
	}
}

func TestLogs_stderrAndStrayStdoutArePrefixedWithThePluginName(t *testing.T) {
	c, logs := startHelper(t, "builder", ClientConfig{Name: "packer-builder-chatty"})
	if _, err := runBuilder(t, c, "stray-print"); err != nil {
		t.Fatal(err)
	}
	logs.waitFor("packer-builder-chatty: a stray line on stdout")
	line := logs.waitFor("a line from the log package")
	if !strings.HasPrefix(line, "packer-builder-chatty: ") {
		t.Errorf("log line %q lacks the plugin's name", line)
	}
}

func TestCrash_anExitMidCallFailsTheCallWithTheExitStatus(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	_, err := runBuilder(t, c, "exit")
	want := "plugin packer-builder-test exited unexpectedly (exit status 3) during Builder.Run"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run = %v\nwant %q", err, want)
	}
	if !errors.Is(err, rpc.ErrConnectionLost) {
		t.Errorf("error is not rpc.ErrConnectionLost")
	}
}

func TestCrash_aPanicInAPluginGoroutineIsReportedWithItsTrace(t *testing.T) {
	c, logs := startHelper(t, "builder", ClientConfig{})
	_, err := runBuilder(t, c, "panic-in-goroutine")
	if err == nil || !strings.Contains(err.Error(), "exited unexpectedly (exit status 2) during Builder.Run") {
		t.Fatalf("Run = %v", err)
	}
	if !strings.Contains(err.Error(), "the plugin broke") {
		t.Errorf("the error does not quote the panic from stderr: %v", err)
	}
	logs.waitFor("packer-builder-test: panic: the plugin broke")
	logs.waitFor("packer-builder-test: goroutine ")
}

func TestCrash_aKillFromOutsideNamesTheSignal(t *testing.T) {
	requireUnix(t)
	c, _ := startHelper(t, "builder", ClientConfig{})
	b, err := c.Builder()
	if err != nil {
		t.Fatal(err)
	}
	ui := newAnsweringUi("hang")
	result := make(chan error, 1)
	go func() {
		_, err := b.Run(context.Background(), ui, nil)
		result <- err
	}()
	<-ui.said // "hanging"
	killFromOutside(c.Pid())
	err = <-result
	if err == nil || !strings.Contains(err.Error(), "exited unexpectedly (signal: killed) during Builder.Run") {
		t.Fatalf("Run = %v", err)
	}
}

func TestHang_cancellingTheContextCancelsThePluginsRun(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	b, err := c.Builder()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ui := newAnsweringUi("wait-for-cancel")
	go func() {
		<-ui.said // "waiting"
		cancel()
	}()
	_, err = b.Run(ctx, ui, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestHang_killingAPluginThatIgnoresItsContextEndsThePendingCall(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	b, err := c.Builder()
	if err != nil {
		t.Fatal(err)
	}
	ui := newAnsweringUi("hang")
	result := make(chan error, 1)
	go func() {
		_, err := b.Run(context.Background(), ui, nil)
		result <- err
	}()
	<-ui.said
	c.Kill()
	err = <-result
	if err == nil {
		t.Fatal("the call to a killed plugin succeeded")
	}
	// Packer itself stopped it: not an unexpected exit.
	if !strings.Contains(err.Error(), "packer stopped plugin packer-builder-test during Builder.Run") || strings.Contains(err.Error(), "unexpectedly") {
		t.Errorf("Run = %v, want it to say packer stopped the plugin", err)
	}
	if !c.Exited() {
		t.Error("Kill returned before the plugin exited")
	}
}

func TestSupervisor_killAllNowKillsWithoutAGrace(t *testing.T) {
	logs := &logWatcher{}
	var s Supervisor
	c := s.NewClient(&ClientConfig{Cmd: helperCmd("builder"), Name: "packer-builder-test", Logger: newLogger(logs)})
	b, err := c.Builder()
	if err != nil {
		t.Fatal(err)
	}
	ui := newAnsweringUi("hang")
	go b.Run(context.Background(), ui, nil)
	<-ui.said
	pid := c.Pid()
	s.KillAllNow()
	if processAlive(pid) {
		t.Errorf("plugin %d still runs after KillAllNow returned", pid)
	}
	if n := logs.count("after its connection closed"); n != 0 {
		t.Errorf("KillAllNow gave the plugin a grace to exit by itself")
	}
}

func TestKill_leavesNoProcessBehindNotEvenThePluginsChildren(t *testing.T) {
	requireUnix(t)
	c, _ := startHelper(t, "builder", ClientConfig{})
	b, err := c.Builder()
	if err != nil {
		t.Fatal(err)
	}
	ui := newAnsweringUi("child")
	go b.Run(context.Background(), ui, nil)
	childPid, err := strconv.Atoi(<-ui.said)
	if err != nil {
		t.Fatal(err)
	}
	pluginPid := c.Pid()
	if !processAlive(childPid) {
		t.Fatal("the plugin's child is not running")
	}
	c.Kill()
	if processAlive(pluginPid) {
		t.Errorf("plugin %d still runs after Kill", pluginPid)
	}
	waitUntilGone(t, childPid)
}

func TestLifecycle_aPluginExitsWhenItsConnectionCloses(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.rpc.Close()
	<-c.exited // the plugin exits by itself, without Kill
	if desc := exitDescription(c.exitErr); desc != "exit status 0" {
		t.Errorf("plugin exited with %s, want a clean exit", desc)
	}
}

func TestLifecycle_aPluginExitsWhenItsCoreIsKilled(t *testing.T) {
	requireUnix(t)
	killCoreAndWaitForPids(t, "core", 1, "")
}

// killCoreAndWaitForPids starts the helper core of this mode, reads n pids
// from its first n lines of stdout (each after prefix), kills the core as
// a user or the OOM killer would, and waits for every pid to go.
func killCoreAndWaitForPids(t *testing.T, mode string, n int, prefix string) {
	t.Helper()
	core := helperCmd(mode)
	stdout, _ := core.StdoutPipe()
	if err := core.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var pids []int
	for len(pids) < n && lines.Scan() {
		pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lines.Text(), prefix)))
		if err != nil {
			core.Process.Kill()
			t.Fatalf("the core printed %q", lines.Text())
		}
		pids = append(pids, pid)
	}
	core.Process.Kill()
	core.Wait()
	if len(pids) < n {
		t.Fatalf("the core printed %d pids, want %d", len(pids), n)
	}
	for _, pid := range pids {
		waitUntilGone(t, pid)
	}
}

func TestSupervisor_killAllEndsEveryPluginAndRefusesNewOnes(t *testing.T) {
	var s Supervisor
	var pids []int
	for range 3 {
		c := s.NewClient(&ClientConfig{Cmd: helperCmd("builder"), Name: "packer-builder-test"})
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, c.Pid())
	}
	s.KillAll()
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("plugin %d survived KillAll", pid)
		}
	}
	late := s.NewClient(&ClientConfig{Cmd: helperCmd("builder")})
	if err := late.Start(); err == nil || !strings.Contains(err.Error(), "killed before it started") {
		t.Errorf("a client made after KillAll started: %v", err)
	}
}

// TestEndToEnd_builderProvisionerAndPostProcessorAsRealProcesses is the
// classic Packer shape with every component in its own process: the builder
// hands its communicator to the core's hook, the core runs a provisioner
// process against it, and a post-processor process reads the artifact.
func TestEndToEnd_builderProvisionerAndPostProcessorAsRealProcesses(t *testing.T) {
	requireUnix(t)
	root := t.TempDir()
	builderClient, _ := startHelper(t, "builder", ClientConfig{})
	builderClient.config.Cmd.Env = append(builderClient.config.Cmd.Env, "HELPER_COMM_ROOT="+root)
	provisionerClient, _ := startHelper(t, "provisioner", ClientConfig{Name: "packer-provisioner-test"})
	postProcessorClient, _ := startHelper(t, "post-processor", ClientConfig{Name: "packer-post-processor-test"})

	builder, err := builderClient.Builder()
	if err != nil {
		t.Fatal(err)
	}
	provisioner, err := provisionerClient.Provisioner()
	if err != nil {
		t.Fatal(err)
	}
	postProcessor, err := postProcessorClient.PostProcessor()
	if err != nil {
		t.Fatal(err)
	}

	ui := newAnsweringUi("provision")
	var hookData any
	hook := hookFunc(func(ctx context.Context, name string, hui packer.Ui, comm packer.Communicator, data any) error {
		hookData = data
		return provisioner.Provision(ctx, hui, comm)
	})
	artifact, err := builder.Run(context.Background(), ui, hook)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "greeting.txt")); string(got) != fmt.Sprintf("hello from %s\n", filepath.Base(root)) {
		t.Errorf("greeting.txt = %q", got)
	}
	if said := <-ui.said; said != fmt.Sprintf("hello from %s", filepath.Base(root)) {
		t.Errorf("the command's output reached the Ui as %q", said)
	}
	if fmt.Sprint(hookData) != "map[ID:helper]" {
		t.Errorf("hook data = %v", hookData)
	}
	result, keep, err := postProcessor.PostProcess(context.Background(), ui, artifact)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("processed built greeting.txt:%d", len(fmt.Sprintf("hello from %s\n", filepath.Base(root))))
	if result.Id() != want || !keep {
		t.Errorf("post-processed artifact = %q (keep %v), want %q", result.Id(), keep, want)
	}
}

type hookFunc func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error

func (h hookFunc) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	return h(ctx, name, ui, comm, data)
}

// yamuxRPCAttempt is what a client that knows the protocol but not the key
// would send first: a yamux window update opening stream 1.
func yamuxRPCAttempt() []byte {
	return []byte{0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}
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

func requireUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("unix process behaviour")
	}
}

// waitUntilGone waits for a process that is not this test's child to go
// away; such a process cannot be waited on, so its state is polled.
func waitUntilGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			killFromOutside(pid) // leave nothing behind for the next test
			t.Fatalf("process %d still ran 10s later (the test killed it)", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
