package tree

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// busyboxTree makes a tree a command can run in (see testdeps.BusyboxTree),
// with an empty /kit for the conformance kit.
func busyboxTree(t *testing.T) string {
	t.Helper()
	root := testdeps.BusyboxTree(t, filepath.Join(t.TempDir(), "tree"))
	if err := os.Mkdir(filepath.Join(root, "kit"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// isolated returns a communicator for a busybox tree, skipping loudly where
// this machine cannot isolate commands at all.
func isolated(t *testing.T) *Communicator {
	t.Helper()
	c := &Communicator{Root: busyboxTree(t)}
	how, err := c.Check()
	if err != nil {
		t.Skipf("SKIPPED: commands cannot run isolated here: %v", err)
	}
	wantMode := "mount and PID namespace"
	if os.Geteuid() != 0 {
		wantMode = "user namespace"
	}
	if !strings.Contains(how, wantMode) {
		t.Errorf("commands are isolated in %s, want %s as uid %d", how, wantMode, os.Geteuid())
	}
	return c
}

// run runs command in c and returns its status and output.
func run(t *testing.T, c *Communicator, command string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := &packer.RemoteCmd{Command: command, Stdout: &stdout, Stderr: &stderr}
	if err := c.Start(context.Background(), cmd); err != nil {
		t.Fatalf("Start(%q): %v", command, err)
	}
	return cmd.Wait(), stdout.String(), stderr.String()
}

// hostDir is a directory of this machine that the test's user can write
// to: a command that reached the host would leave its marker there, in
// every mode.
func hostDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestIsolation_commandsSeeOnlyTheTree(t *testing.T) {
	c := isolated(t)
	host := hostDir(t)
	marker := fmt.Sprintf("/packer-test-i-was-here-%d", time.Now().UnixNano())
	runName := filepath.Base(marker)
	t.Cleanup(func() { os.Remove(marker); os.Remove("/run/" + runName) })
	if err := c.Upload("/etc/motd", strings.NewReader("the tree's motd\n"), nil); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr := run(t, c, strings.Join([]string{
		"touch " + marker,
		"mkdir -p " + host + " && touch " + host + "/marker",
		"cat /etc/motd",
		"echo through > /var/run/" + runName,
		"echo uid=$(id -u) cwd=$(pwd) path=$PATH",
	}, " && "))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, stderr)
	}
	if !strings.Contains(stdout, "the tree's motd\n") {
		t.Errorf("cat /etc/motd printed %q, want the tree's", stdout)
	}
	if !strings.Contains(stdout, "uid=0 cwd=/ path="+basePath) {
		t.Errorf("the command runs as %q, want root in / with PATH %s", stdout, basePath)
	}
	for _, p := range []string{marker, filepath.Join(host, "marker"), "/run/" + runName} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("the command wrote %s on this machine", p)
		}
	}
	for _, p := range []string{marker, host + "/marker", "/run/" + runName} {
		if _, err := os.Lstat(filepath.Join(c.Root, p)); err != nil {
			t.Errorf("the tree lacks %s: %v", p, err)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(c.Root, "run", runName)); string(got) != "through\n" {
		t.Errorf("writing through var/run -> /run left TREE/run/%s = %q", runName, got)
	}
}

func TestIsolation_procDevAndSysAreThereForTheCommandOnly(t *testing.T) {
	c := isolated(t)
	status, stdout, stderr := run(t, c, strings.Join([]string{
		"cat /proc/1/cmdline | tr '\\000' ' '; echo",
		"[ -c /dev/null ] && [ -c /dev/urandom ] && echo devices",
		"head -c 4 /dev/urandom | wc -c",
		"[ -d /dev/pts ] && [ -d /dev/shm ] && [ -L /dev/fd ] && echo dirs",
		"[ -d /sys/kernel ] && echo sys",
		"touch /sys/kernel/x 2>/dev/null || echo sys-read-only",
		"echo shm > /dev/shm/x && cat /dev/shm/x",
	}, "; "))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, stderr)
	}
	for _, want := range []string{helperName + " ", "devices\n", "4\n", "dirs\n", "sys\n", "sys-read-only\n", "shm\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output %q lacks %q", stdout, want)
		}
	}
	dir, _ := filepath.EvalSymlinks(c.Root)
	if mounts := testdeps.MountsUnder(t, dir); len(mounts) > 0 {
		t.Errorf("left mounted on this machine after the command: %v", mounts)
	}
	for _, d := range []string{"proc", "dev", "sys"} {
		if entries, err := os.ReadDir(filepath.Join(c.Root, d)); err != nil || len(entries) > 0 {
			t.Errorf("TREE/%s after the command: %v (%v), want an empty directory", d, entries, err)
		}
	}
}

// processesWith lists the processes of this machine whose command line is
// args.
func processesWith(args ...string) []int {
	want := strings.Join(args, "\x00") + "\x00"
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && string(cmdline) == want {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestIsolation_whatACommandLeftRunningEndsWithIt(t *testing.T) {
	c := isolated(t)
	// setsid leaves the process group too: the PID namespace still ends it.
	status, _, stderr := run(t, c, "sleep 31337 & busybox setsid sleep 31338 & echo started")
	if status != 0 {
		t.Fatalf("exit %d: %s", status, stderr)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := append(processesWith("sleep", "31337"), processesWith("busybox", "setsid", "sleep", "31338")...)
		left = append(left, processesWith("sleep", "31338")...)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Fatalf("processes %v the command started still run 10s after it ended (the test killed them)", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIsolation_aTreeWithoutResolvConfGetsThisMachinesForTheCommand(t *testing.T) {
	host, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		t.Skipf("SKIPPED: this machine has no /etc/resolv.conf to lend: %v", err)
	}
	c := isolated(t)
	status, stdout, stderr := run(t, c, "cat /etc/resolv.conf; echo nameserver 10.9.9.9 > /etc/resolv.conf || echo read-only")
	if status != 0 {
		t.Fatalf("exit %d: %s", status, stderr)
	}
	if want := string(host) + "read-only\n"; stdout != want {
		t.Errorf("the command saw /etc/resolv.conf as %q, want this machine's, read-only (%q)", stdout, want)
	}
	if _, err := os.Lstat(filepath.Join(c.Root, "etc", "resolv.conf")); err == nil {
		t.Error("the tree keeps a resolv.conf after the command: the placeholder was not removed")
	}
	if got, _ := os.ReadFile("/etc/resolv.conf"); !bytes.Equal(got, host) {
		t.Errorf("this machine's /etc/resolv.conf changed to %q", got)
	}

	own := "nameserver 192.0.2.53\n"
	if err := c.Upload("/etc/resolv.conf", strings.NewReader(own), nil); err != nil {
		t.Fatal(err)
	}
	if _, stdout, _ := run(t, c, "cat /etc/resolv.conf"); stdout != own {
		t.Errorf("with its own resolv.conf the tree's command saw %q, want %q", stdout, own)
	}
}

func TestIsolation_aTreeWithoutAShellIsStartsError(t *testing.T) {
	c := &Communicator{Root: t.TempDir()}
	if _, err := c.Check(); err != nil {
		t.Skipf("SKIPPED: commands cannot run isolated here: %v", err)
	}
	err := c.Start(context.Background(), &packer.RemoteCmd{Command: "true"})
	if err == nil || !strings.Contains(err.Error(), "the tree has no /bin/sh") {
		t.Errorf("Start in an empty tree = %v, want it to say the tree has no /bin/sh", err)
	}
}

func TestIsolation_aMountPointThatIsNoDirectoryFailsCheck(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "proc"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&Communicator{Root: root}).Check()
	if err == nil || !strings.Contains(err.Error(), "/proc is not a directory") || !strings.Contains(err.Error(), root) {
		t.Errorf("Check = %v, want it to name the tree and say /proc is not a directory", err)
	}
}

func TestCommunicator_passesTheConformanceKit(t *testing.T) {
	packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
		return isolated(t), "/kit"
	})
}

// TestIsolation_asAnUnprivilegedUser runs this package's isolation tests
// again as an unprivileged user, when they run as root: then commands run
// in a user namespace.
func TestIsolation_asAnUnprivilegedUser(t *testing.T) {
	testdeps.Need(t, "busybox")
	testdeps.RunUnprivileged(t, "^(TestIsolation_|TestCommunicator_passesTheConformanceKit$)")
}

func TestIsolation_theHelperRefusesToRunOutsideItsNamespaces(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer statusR.Close()
	dir := t.TempDir()
	cmd := &exec.Cmd{Path: self, Args: []string{helperName, helperProbe, dir}, ExtraFiles: []*os.File{statusW}}
	err = cmd.Run()
	statusW.Close()
	msg, _ := io.ReadAll(statusR)
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != helperFailed || !strings.Contains(string(msg), "runs only as packer starts it") {
		t.Errorf("the helper run directly: %v, status %q; want it to refuse", err, msg)
	}
	if mounts := testdeps.MountsUnder(t, dir); len(mounts) > 0 {
		t.Errorf("the helper run directly mounted %v", mounts)
	}
}
