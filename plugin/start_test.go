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
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/rpc"
)

func TestPorts_aRangeOfOnePortIsHonoured(t *testing.T) {
	port := freePort(t)
	c, logs := startHelper(t, "builder", ClientConfig{MinPort: port, MaxPort: port})
	if _, err := runBuilder(t, c, "plain"); err != nil {
		t.Fatal(err)
	}
	if got := logs.waitFor("listening on"); !strings.HasSuffix(got, fmt.Sprintf("listening on 127.0.0.1:%d", port)) {
		t.Errorf("plugin: %q, want port %d", got, port)
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
	addr, err := parseHandshake(line, "")
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

func TestTransport_theUnixSocketTransportServesAndLeavesNothing(t *testing.T) {
	requireUnix(t)
	t.Setenv(TransportEnv, "unix")
	c, logs := startHelper(t, "builder", ClientConfig{})
	if _, err := runBuilder(t, c, "plain"); err != nil {
		t.Fatal(err)
	}
	socket := c.unixSocket
	if got := logs.waitFor("listening on"); !strings.HasSuffix(got, "listening on "+socket) {
		t.Errorf("plugin: %q, want the socket %s", got, socket)
	}
	info, err := os.Stat(filepath.Dir(socket))
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the socket's directory: %v, %v; want mode 0700, the core's alone", info, err)
	}
	c.Kill()
	if _, err := os.Stat(filepath.Dir(socket)); !os.IsNotExist(err) {
		t.Errorf("the socket's directory is still there after the plugin ended: %v", err)
	}
}

func TestTransport_anUnknownTransportIsAClearError(t *testing.T) {
	t.Setenv(TransportEnv, "carrier-pigeon")
	c, _ := startHelper(t, "builder", ClientConfig{})
	if err := c.Start(); err == nil || !strings.Contains(err.Error(), "PACKER_PLUGIN_TRANSPORT=\"carrier-pigeon\": use tcp") {
		t.Errorf("Start = %v", err)
	}
}

func TestHandshake_withTheUnixTransportOnlyTheExpectedSocketIsDialled(t *testing.T) {
	if _, err := parseHandshake("PACKER-PLUGIN|1|tcp|127.0.0.1:1\n", "/d/plugin.sock"); err == nil {
		t.Error("a tcp address was accepted where a socket was asked for")
	}
	if _, err := parseHandshake("PACKER-PLUGIN|1|unix|/elsewhere.sock\n", "/d/plugin.sock"); err == nil {
		t.Error("another socket was accepted")
	}
	if addr, err := parseHandshake("PACKER-PLUGIN|1|unix|/d/plugin.sock\n", "/d/plugin.sock"); err != nil || addr != "/d/plugin.sock" {
		t.Errorf("the expected socket: %q, %v", addr, err)
	}
	if _, err := parseHandshake("PACKER-PLUGIN|1|unix|/d/plugin.sock\n", ""); err == nil {
		t.Error("a unix socket was accepted where tcp is expected")
	}
}
