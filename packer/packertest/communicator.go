package packertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

// MakeCommunicator returns the Communicator under test and dir, an empty
// directory on the machine it reaches (a slash-separated path there) that
// the kit may fill. It is called once per TestCommunicator; release what it
// made with t.Cleanup.
type MakeCommunicator func(t *testing.T) (comm packer.Communicator, dir string)

// commandBound bounds the wait for one command of the kit: a communicator
// that never reports an exit fails its rule instead of hanging the test.
const commandBound = 2 * time.Minute

// TestCommunicator checks a Communicator against the contract written on
// packer.Communicator and packer.RemoteCmd: exit statuses (including a
// command killed by a signal), separate and shared output writers, nil
// writers, stdin, streaming while the command runs, 5 MB per stream, a 2 MB
// line followed by more lines, a slow writer, output complete when Wait
// returns, cancellation through ctx, concurrent commands, Upload and
// Download of 64 MiB byte for byte with modes, and UploadDir and DownloadDir
// with the trailing-slash rule and excludes.
//
// The machine must have a POSIX shell with echo, printf, cat, head, tr,
// kill, sleep, ls, mkdir and wc. Each rule is a subtest named after it.
func TestCommunicator(t *testing.T, makeComm MakeCommunicator) {
	comm, dir := makeComm(t)
	k := &commKit{comm: comm, dir: strings.TrimRight(dir, "/")}
	t.Run("ExitStatus", k.exitStatus)
	t.Run("SeparateWriters", k.separateWriters)
	t.Run("OneWriterForBothStreams", k.oneWriterForBothStreams)
	t.Run("NilWriters", k.nilWriters)
	t.Run("Stdin", k.stdin)
	t.Run("StreamsWhileRunning", k.streamsWhileRunning)
	t.Run("FiveMegabytesPerStream", k.fiveMegabytesPerStream)
	t.Run("LongLineThenMoreLines", k.longLine)
	t.Run("SlowWriter", k.slowWriter)
	t.Run("CancelEndsTheCommand", k.cancel)
	t.Run("ConcurrentCommands", k.concurrent)
	t.Run("UploadDownload", k.uploadDownload)
	t.Run("UploadDirDownloadDir", k.dirs)
}

type commKit struct {
	comm packer.Communicator
	dir  string
}

// run runs command with the given writers and stdin and returns its exit
// status once Wait returned; the writers are marked done then, so a write
// after Wait is reported.
func (k *commKit) run(t *testing.T, ctx context.Context, cmd *packer.RemoteCmd, writers ...*checkedWriter) int {
	t.Helper()
	if err := k.comm.Start(ctx, cmd); err != nil {
		t.Fatalf("Start(%q): %v", cmd.Command, err)
	}
	select {
	case <-cmd.Exited():
	case <-time.After(commandBound):
		t.Fatalf("%q: Wait did not return within %s: the communicator never called SetExited", cmd.Command, commandBound)
	}
	status := cmd.Wait()
	for _, w := range writers {
		w.waitReturned(t)
	}
	return status
}

// shell runs command with fresh writers for both streams and returns them.
func (k *commKit) shell(t *testing.T, command string) (status int, stdout, stderr string) {
	t.Helper()
	out, errw := newCheckedWriter("Stdout"), newCheckedWriter("Stderr")
	status = k.run(t, context.Background(), &packer.RemoteCmd{Command: command, Stdout: out, Stderr: errw}, out, errw)
	return status, out.String(), errw.String()
}

// mustShell runs command and fails the test unless it exits 0.
func (k *commKit) mustShell(t *testing.T, command string) string {
	t.Helper()
	status, stdout, stderr := k.shell(t, command)
	if status != 0 {
		t.Fatalf("%q exited %d; stderr: %s", command, status, stderr)
	}
	return stdout
}

// subdir makes a fresh directory under the kit's dir for one rule.
func (k *commKit) subdir(t *testing.T, name string) string {
	t.Helper()
	d := k.dir + "/" + name
	k.mustShell(t, "mkdir -p '"+d+"'")
	return d
}

func (k *commKit) exitStatus(t *testing.T) {
	for _, c := range []struct {
		command string
		want    int
		rule    string
	}{
		{"true", 0, "a command that succeeds reports 0"},
		{"exit 3", 3, "a command reports its own exit status"},
		{"kill -KILL $$", 128 + 9, "a command killed by signal N reports 128+N, never -1"},
		{"kill -TERM $$", 128 + 15, "a command killed by signal N reports 128+N, never -1"},
	} {
		if got, _, stderr := k.shell(t, c.command); got != c.want {
			t.Errorf("%q exited %d, want %d: %s (stderr %q)", c.command, got, c.want, c.rule, stderr)
		}
	}
}

func (k *commKit) separateWriters(t *testing.T) {
	_, stdout, stderr := k.shell(t, "echo out; echo err >&2; echo out2")
	if stdout != "out\nout2\n" || stderr != "err\n" {
		t.Errorf("stdout %q, stderr %q; want %q and %q: each stream reaches its own writer", stdout, stderr, "out\nout2\n", "err\n")
	}
}

func (k *commKit) oneWriterForBothStreams(t *testing.T) {
	both := newCheckedWriter("the writer shared by Stdout and Stderr")
	const pairs = 200
	cmd := &packer.RemoteCmd{
		Command: fmt.Sprintf("i=0; while [ $i -lt %d ]; do echo out$i; echo err$i >&2; i=$((i+1)); done", pairs),
		Stdout:  both, Stderr: both,
	}
	k.run(t, context.Background(), cmd, both)
	var outs, errs []string
	for _, line := range strings.Split(strings.TrimSuffix(both.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "out"):
			outs = append(outs, line)
		case strings.HasPrefix(line, "err"):
			errs = append(errs, line)
		default:
			t.Errorf("a garbled line %q: writes to the shared writer were interleaved", truncate(line))
		}
	}
	for name, got := range map[string][]string{"out": outs, "err": errs} {
		if len(got) != pairs {
			t.Errorf("the shared writer got %d of %d %s lines: output is lost when Stdout and Stderr are one writer", len(got), pairs, name)
			continue
		}
		for i, line := range got {
			if line != fmt.Sprintf("%s%d", name, i) {
				t.Errorf("%s line %d is %q: a stream's output is out of order", name, i, line)
				break
			}
		}
	}

	// Both streams at full speed at once: 5 MB each into the one writer.
	big := newCheckedWriter("the writer shared by Stdout and Stderr")
	cmd = &packer.RemoteCmd{
		Command: "(head -c 5000000 /dev/zero | tr '\\000' o) & head -c 5000000 /dev/zero | tr '\\000' e >&2; wait",
		Stdout:  big, Stderr: big,
	}
	k.run(t, context.Background(), cmd, big)
	got := big.String()
	if o, e := strings.Count(got, "o"), strings.Count(got, "e"); o != 5000000 || e != 5000000 {
		t.Errorf("the shared writer got %d bytes of stdout and %d of stderr, want 5000000 each", o, e)
	}
}

func (k *commKit) nilWriters(t *testing.T) {
	cmd := &packer.RemoteCmd{Command: "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2; exit 5"}
	if got := k.run(t, context.Background(), cmd); got != 5 {
		t.Errorf("with nil writers the command exited %d, want 5: output to a nil writer is discarded, and the command still ends", got)
	}
}

func (k *commKit) stdin(t *testing.T) {
	input := pseudoRandom(1<<20, 1)
	out := newCheckedWriter("Stdout")
	cmd := &packer.RemoteCmd{Command: "cat", Stdin: bytes.NewReader(input), Stdout: out}
	if status := k.run(t, context.Background(), cmd, out); status != 0 {
		t.Fatalf("cat exited %d", status)
	}
	if !bytes.Equal(out.Bytes(), input) {
		t.Errorf("cat echoed %d bytes of the 1 MiB given on Stdin (or different bytes): Stdin is copied to the command whole", out.Len())
	}
	_, stdout, _ := k.run2(t, "cat >/dev/null; echo closed", strings.NewReader("a little input\n"))
	if stdout != "closed\n" {
		t.Errorf("stdout %q, want %q: the command's stdin is closed at Stdin's end", stdout, "closed\n")
	}
}

// run2 runs command with stdin and fresh writers.
func (k *commKit) run2(t *testing.T, command string, stdin io.Reader) (int, string, string) {
	t.Helper()
	out, errw := newCheckedWriter("Stdout"), newCheckedWriter("Stderr")
	status := k.run(t, context.Background(), &packer.RemoteCmd{Command: command, Stdin: stdin, Stdout: out, Stderr: errw}, out, errw)
	return status, out.String(), errw.String()
}

func (k *commKit) streamsWhileRunning(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	out := newCheckedWriter("Stdout")
	ready := out.waitFor("ready\n")
	cmd := &packer.RemoteCmd{Command: "echo ready; cat >/dev/null; echo bye", Stdin: stdinR, Stdout: out}
	if err := k.comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-cmd.Exited():
		t.Fatal("the command ended before its stdin was closed")
	case <-time.After(commandBound):
		stdinW.Close()
		t.Fatalf("the first line did not arrive while the command ran (within %s): output is streamed as it comes, not when the command ends", commandBound)
	}
	stdinW.Close()
	select {
	case <-cmd.Exited():
	case <-time.After(commandBound):
		t.Fatalf("the command did not end after its stdin closed")
	}
	out.waitReturned(t)
	if got := out.String(); got != "ready\nbye\n" {
		t.Errorf("stdout %q, want %q", got, "ready\nbye\n")
	}
}

func (k *commKit) fiveMegabytesPerStream(t *testing.T) {
	_, stdout, stderr := k.shell(t, "head -c 5000000 /dev/zero | tr '\\000' o; head -c 5000000 /dev/zero | tr '\\000' e >&2")
	if len(stdout) != 5000000 || strings.Count(stdout, "o") != 5000000 {
		t.Errorf("stdout got %d bytes, want 5000000 'o's", len(stdout))
	}
	if len(stderr) != 5000000 || strings.Count(stderr, "e") != 5000000 {
		t.Errorf("stderr got %d bytes, want 5000000 'e's", len(stderr))
	}
}

func (k *commKit) longLine(t *testing.T) {
	_, stdout, _ := k.shell(t, "head -c 2000000 /dev/zero | tr '\\000' z; echo; echo after; echo end")
	if want := strings.Repeat("z", 2000000) + "\nafter\nend\n"; stdout != want {
		t.Errorf("stdout got %d bytes (ending %q), want the 2 MB line and the two lines after it (%d bytes)", len(stdout), tail(stdout), len(want))
	}
}

func (k *commKit) slowWriter(t *testing.T) {
	out := newCheckedWriter("Stdout")
	out.delay = 2 * time.Millisecond
	cmd := &packer.RemoteCmd{Command: "head -c 300000 /dev/zero | tr '\\000' s; echo end", Stdout: out}
	k.run(t, context.Background(), cmd, out)
	if want := strings.Repeat("s", 300000) + "end\n"; out.String() != want {
		t.Errorf("a slow writer got %d of %d bytes: a slow writer slows the command down and loses nothing", out.Len(), len(want))
	}
}

func (k *commKit) cancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newCheckedWriter("Stdout")
	started := out.waitFor("started\n")
	cmd := &packer.RemoteCmd{Command: "echo started; sleep 1000; echo not-cancelled", Stdout: out}
	if err := k.comm.Start(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(commandBound):
		t.Fatal("the command did not start")
	}
	cancel()
	select {
	case <-cmd.Exited():
	case <-time.After(commandBound):
		t.Fatalf("Wait did not return within %s of cancelling the context: cancelling ctx ends the command", commandBound)
	}
	out.waitReturned(t)
	if status := cmd.ExitStatus(); status == 0 {
		t.Error("a cancelled command reported status 0")
	}
	if strings.Contains(out.String(), "not-cancelled") {
		t.Error("the command ran to its end although its context was cancelled")
	}
}

func (k *commKit) concurrent(t *testing.T) {
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := newCheckedWriter("Stdout")
			cmd := &packer.RemoteCmd{Command: fmt.Sprintf("i=0; while [ $i -lt 50 ]; do echo c%d; i=$((i+1)); done", i), Stdout: out}
			if err := k.comm.Start(context.Background(), cmd); err != nil {
				errs <- err.Error()
				return
			}
			select {
			case <-cmd.Exited():
			case <-time.After(commandBound):
				errs <- fmt.Sprintf("command %d never ended", i)
				return
			}
			out.waitReturned(t)
			if want := strings.Repeat(fmt.Sprintf("c%d\n", i), 50); out.String() != want {
				errs <- fmt.Sprintf("command %d got %q..., want its own 50 lines: concurrent commands keep their output apart", i, truncate(out.String()))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func (k *commKit) uploadDownload(t *testing.T) {
	d := k.subdir(t, "files")
	const size = 64 << 20
	if err := k.comm.Upload(d+"/big.bin", newPseudoRandomReader(size, 7), fileMode("big.bin", 0o600, size)); err != nil {
		t.Fatalf("Upload of 64 MiB: %v", err)
	}
	check := newPseudoRandomReader(size, 7)
	cmp := &compareWriter{want: check}
	if err := k.comm.Download(d+"/big.bin", cmp); err != nil {
		t.Fatalf("Download of 64 MiB: %v", err)
	}
	if cmp.err != nil || cmp.n != size {
		t.Errorf("the 64 MiB file came back as %d bytes (%v): Upload and Download keep every byte", cmp.n, cmp.err)
	}
	if mode := k.modeOf(t, d+"/big.bin"); mode != "-rw-------" {
		t.Errorf("uploaded with mode 0600, the file has %s", mode)
	}

	if err := k.comm.Upload(d+"/plain.txt", strings.NewReader("a longer first version\n"), nil); err != nil {
		t.Fatal(err)
	}
	if mode := k.modeOf(t, d+"/plain.txt"); mode != "-rw-r--r--" {
		t.Errorf("uploaded without a FileInfo, the file has %s, want -rw-r--r-- (0644)", mode)
	}
	if err := k.comm.Upload(d+"/plain.txt", strings.NewReader("short\n"), nil); err != nil {
		t.Fatal(err)
	}
	var back bytes.Buffer
	if err := k.comm.Download(d+"/plain.txt", &back); err != nil {
		t.Fatal(err)
	}
	if back.String() != "short\n" {
		t.Errorf("after a second, shorter Upload the file holds %q: Upload truncates", back.String())
	}

	missing := d + "/no-such-file"
	if err := k.comm.Download(missing, io.Discard); err == nil {
		t.Error("Download of a file that does not exist succeeded")
	} else if !strings.Contains(err.Error(), "no-such-file") {
		t.Errorf("Download of a missing file: %q does not name it", err)
	}
}

// modeOf returns the permission string `ls -ld` shows for path.
func (k *commKit) modeOf(t *testing.T, path string) string {
	t.Helper()
	fields := strings.Fields(k.mustShell(t, "ls -ld '"+path+"'"))
	if len(fields) == 0 {
		t.Fatalf("ls -ld %s printed nothing", path)
	}
	return strings.TrimRight(fields[0], ".+@")
}
