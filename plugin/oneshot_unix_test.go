//go:build unix

package plugin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shOneShot is a OneShot of an sh script, logging to logs.
func shOneShot(script string, logs *logWatcher) OneShot {
	return OneShot{Path: "/bin/sh", Args: []string{"-c", script}, Name: "packer-post-processor-sh", MaxOutput: 1 << 20, Logger: newLogger(logs)}
}

// pidLogged waits for the log line "packer-post-processor-sh: WHAT PID".
func pidLogged(t *testing.T, logs *logWatcher, what string) int {
	t.Helper()
	line := logs.waitFor("packer-post-processor-sh: " + what + " ")
	pid, err := strconv.Atoi(strings.TrimSpace(line[strings.LastIndexByte(line, ' '):]))
	if err != nil {
		t.Fatalf("no pid in %q", line)
	}
	return pid
}

func TestRun_returnsStdoutAndLogsStderr(t *testing.T) {
	logs := &logWatcher{}
	var s Supervisor
	o := shOneShot(`cat; echo "said on stderr" >&2`, logs)
	o.Stdin = strings.NewReader(`{"request": 1}`)
	out, err := s.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"request": 1}` {
		t.Errorf("stdout = %q", out)
	}
	logs.waitFor("packer-post-processor-sh: said on stderr")
}

func TestRun_stdoutOverTheLimitStopsTheProgramAndSaysSo(t *testing.T) {
	logs := &logWatcher{}
	o := shOneShot("head -c 10000000 /dev/zero; echo still running >&2; exec sleep 1000", logs)
	o.MaxOutput = 64 << 10
	var s Supervisor
	_, err := s.Run(context.Background(), o)
	if !errors.Is(err, ErrOutputLimit) || !strings.Contains(err.Error(), "packer-post-processor-sh (/bin/sh) printed more than 64 KiB on stdout") {
		t.Fatalf("Run = %v, want ErrOutputLimit naming the program and the limit", err)
	}
}

func TestRun_aStderrLineLongerThanAnyBufferIsLoggedInPieces(t *testing.T) {
	logs := &logWatcher{}
	var s Supervisor
	if _, err := s.Run(context.Background(), shOneShot(`head -c 300000 /dev/zero | tr '\0' e >&2; echo " and its end" >&2`, logs)); err != nil {
		t.Fatal(err)
	}
	logs.waitFor("and its end")
	if n := logs.count("packer-post-processor-sh: " + strings.Repeat("e", maxLogLine)); n != 4 {
		t.Errorf("%d full pieces of the long line were logged, want 4", n)
	}
}

func TestRun_aFailureQuotesTheLastLinesOfStderr(t *testing.T) {
	var s Supervisor
	_, err := s.Run(context.Background(), shOneShot("echo 'no configuration for me' >&2; exit 3", &logWatcher{}))
	if err == nil || !strings.Contains(err.Error(), "packer-post-processor-sh (/bin/sh) failed: exit status 3") || !strings.Contains(err.Error(), "no configuration for me") {
		t.Errorf("Run = %v", err)
	}
	_, err = s.Run(context.Background(), OneShot{Path: filepath.Join(t.TempDir(), "missing"), MaxOutput: 1})
	if err == nil || !strings.Contains(err.Error(), "cannot run missing") {
		t.Errorf("Run of a missing program = %v", err)
	}
}

func TestRun_aTimeoutEndsTheProgramAndWhatItStarted(t *testing.T) {
	logs := &logWatcher{}
	o := shOneShot("sleep 1000 & echo child $! >&2; wait", logs)
	o.Timeout = time.Second
	var s Supervisor
	_, err := s.Run(context.Background(), o)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "did not finish within 1s") {
		t.Fatalf("Run = %v, want ErrTimeout", err)
	}
	waitUntilGone(t, pidLogged(t, logs, "child"))
}

func TestRun_cancellingEndsTheProgramAndWhatItStarted(t *testing.T) {
	logs := &logWatcher{}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		logs.waitFor("child ")
		cancel()
	}()
	var s Supervisor
	_, err := s.Run(ctx, shOneShot("sleep 1000 & echo child $! >&2; wait", logs))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	waitUntilGone(t, pidLogged(t, logs, "child"))
}

func TestRun_whatTheProgramLeftRunningEndsWithIt(t *testing.T) {
	logs := &logWatcher{}
	var s Supervisor
	if _, err := s.Run(context.Background(), shOneShot("sleep 1000 & echo child $! >&2", logs)); err != nil {
		t.Fatal(err)
	}
	waitUntilGone(t, pidLogged(t, logs, "child"))
}

func TestSupervisor_killAllStopsARunningOneShotAndRefusesNewOnes(t *testing.T) {
	logs := &logWatcher{}
	var s Supervisor
	go func() {
		logs.waitFor("child ")
		s.KillAll()
	}()
	_, err := s.Run(context.Background(), shOneShot("sleep 1000 & echo child $! >&2; wait", logs))
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("Run = %v, want ErrStopped", err)
	}
	waitUntilGone(t, pidLogged(t, logs, "child"))
	if _, err := s.Run(context.Background(), shOneShot("true", logs)); !errors.Is(err, ErrStopped) {
		t.Errorf("a one-shot run after KillAll = %v, want ErrStopped", err)
	}
}

func TestGuard_exitsAsItsProgramDid(t *testing.T) {
	s := Supervisor{Guardian: guardian()}
	for script, want := range map[string]string{
		"exit 7":     "exit status 7",
		"kill -9 $$": "signal: killed",
	} {
		_, err := s.Run(context.Background(), shOneShot(script, &logWatcher{}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q under the guardian: Run = %v, want %q", script, err, want)
		}
	}
	out, err := s.Run(context.Background(), OneShot{Path: "/bin/sh", Args: []string{"-c", "cat"}, Stdin: strings.NewReader("through"), MaxOutput: 100})
	if err != nil || string(out) != "through" {
		t.Errorf("stdin to stdout through the guardian: %q, %v", out, err)
	}
}

// TestGuard_aOneShotAndItsChildGoWhenTheCoreIsKilled kills a core with
// SIGKILL while its one-shot program runs under the guardian.
func TestGuard_aOneShotAndItsChildGoWhenTheCoreIsKilled(t *testing.T) {
	killCoreAndWaitForPids(t, "core-of-a-one-shot", 2, "one-shot: ")
}

// TestLifecycle_aPluginsOwnChildGoesWhenItsCoreIsKilled: a child the
// plugin started itself (not a command in a group of its own) goes with the
// plugin when the core dies.
func TestLifecycle_aPluginsOwnChildGoesWhenItsCoreIsKilled(t *testing.T) {
	killCoreAndWaitForPids(t, "core-of-a-parent", 1, "")
}

func TestDescribe_aDescribeThatHangsTimesOutNamingTheVariable(t *testing.T) {
	t.Setenv(TimeoutEnv, "1s")
	dir := t.TempDir()
	path := filepath.Join(dir, "packer-plugin-stuck")
	os.WriteFile(path, []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755)
	var s Supervisor
	_, err := s.Describe(context.Background(), path, nil)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "packer-plugin-stuck describe") || !strings.Contains(err.Error(), TimeoutEnv) {
		t.Errorf("Describe = %v", err)
	}
}

func TestDescribe_readsTheDescriptionOfASet(t *testing.T) {
	var s Supervisor
	exe := guardian()
	wrapper := filepath.Join(t.TempDir(), "packer-plugin-set")
	os.WriteFile(wrapper, []byte("#!/bin/sh\n"+modeEnv+"=set exec "+exe+" -test.run=^$ \"$@\"\n"), 0o755)
	d, err := s.Describe(context.Background(), wrapper, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "1.2.3" || len(d.Provisioners) != 1 || d.Provisioners[0] != "greet" {
		t.Errorf("description = %+v", d)
	}
}
