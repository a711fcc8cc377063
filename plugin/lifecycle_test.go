package plugin

import (
	"bufio"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/rpc"
)

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

// TestCrash_aPanicDeepInTheFrameworkIsQuotedFromItsPanicLine: a writer
// of the plugin's own panics when the framework's copying goroutine calls
// it. The error quotes the panic line and the first frames of that
// goroutine (the author's Write first), not the framework frames at the
// end of the trace, and says the connection was lost on a line of its own.
func TestCrash_aPanicDeepInTheFrameworkIsQuotedFromItsPanicLine(t *testing.T) {
	requireUnix(t)
	c, _ := startHelper(t, "provisioner-panicking-writer", ClientConfig{Name: "packer-provisioner-test"})
	p, err := c.Provisioner()
	if err != nil {
		t.Fatal(err)
	}
	err = p.Provision(context.Background(), newAnsweringUi(""), &local.Communicator{Dir: t.TempDir()})
	if err == nil {
		t.Fatal("Provision succeeded though the plugin died")
	}
	if !errors.Is(err, rpc.ErrConnectionLost) {
		t.Errorf("error is not rpc.ErrConnectionLost: %v", err)
	}
	msg := err.Error()
	first, quoted, _ := strings.Cut(msg, "\n")
	if !strings.Contains(first, "exited unexpectedly (exit status 2) during Provisioner.Provision") || !strings.Contains(first, rpc.ErrConnectionLost.Error()) {
		t.Errorf("first line = %q, want the exit, the call and the lost connection", first)
	}
	for _, want := range []string{"panic: the output writer broke", "goroutine ", "panickingWriter.Write("} {
		if !strings.Contains(quoted, want) {
			t.Errorf("the quoted stderr lacks %q:\n%s", want, msg)
		}
	}
	if strings.HasSuffix(msg, rpc.ErrConnectionLost.Error()) {
		t.Errorf("the lost connection is glued to the last quoted line:\n%s", msg)
	}
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
