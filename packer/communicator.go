package packer

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Communicator reaches a machine while it is being built: it runs commands
// on it and moves files to and from it. Builders provide one through the
// provision hook; provisioners use it. packertest.TestCommunicator checks an
// implementation against everything below.
//
// Every method may be called from several goroutines at once: provisioners
// may run several commands, or copy files while a command runs.
type Communicator interface {
	// Start starts cmd on the machine and returns once it is running; it
	// does not wait for the command to end. The Communicator then calls
	// cmd.SetExited exactly once, when the command has ended and every byte
	// of its output has been written to cmd.Stdout and cmd.Stderr; no
	// goroutine writes to them after that. When Start returns an error the
	// command did not start and SetExited is never called.
	//
	// cmd.Stdin, when not nil, is copied to the command's standard input,
	// which is closed at its end. cmd.Stdout and cmd.Stderr receive the
	// output as it is produced; either may be nil (the output is
	// discarded). They may be the same writer: then at most one goroutine
	// writes to it at a time (see SyncSharedWriters), as os/exec
	// guarantees; otherwise each is written by one goroutine at a time, so
	// neither needs to be safe for concurrent use. A slow writer slows the
	// command down and loses nothing.
	//
	// The exit status is the command's (see RemoteCmd.ExitStatus: 128+N
	// for a command killed by signal N, CmdDisconnect when the connection
	// to the machine was lost). Cancelling ctx ends the command and what it
	// started; SetExited is still called, with a non-zero status.
	Start(ctx context.Context, cmd *RemoteCmd) error
	// Upload writes everything read from src to the file dst on the
	// machine, creating or truncating it, with the permissions of fi when
	// fi is not nil (else 0644).
	Upload(dst string, src io.Reader, fi *os.FileInfo) error
	// UploadDir copies the local directory src to dst on the machine,
	// keeping file modes and leaving out paths that match exclude (by
	// their slash-separated path relative to src, or by base name). As
	// with rsync, a src that ends in a slash copies the directory's
	// contents into dst; without it the directory itself is created inside
	// dst.
	UploadDir(dst, src string, exclude []string) error
	// Download writes the content of the file src on the machine to dst.
	// A src that does not exist is an error naming it.
	Download(src string, dst io.Writer) error
	// DownloadDir copies the directory src on the machine to the local
	// directory dst, with UploadDir's rules for modes, excludes and a
	// trailing slash.
	DownloadDir(src, dst string, exclude []string) error
}

// CmdDisconnect is the exit status a Communicator reports for a command
// whose connection to the machine was lost before the command finished, as
// happens when the command reboots the machine.
const CmdDisconnect = 2300218

// RemoteCmd is a command run through a Communicator. Stdin, Stdout and
// Stderr may be nil. The zero value, with Command set, is ready to use; a
// RemoteCmd is used for one run only.
type RemoteCmd struct {
	// Command is the command line, run by the machine's shell.
	Command string
	// Stdin, when not nil, is read and fed to the command's standard input.
	Stdin io.Reader
	// Stdout and Stderr, when not nil, receive the command's output as it
	// is produced.
	Stdout io.Writer
	Stderr io.Writer

	mu         sync.Mutex
	exited     chan struct{}
	exitStatus int
	done       bool
}

func (c *RemoteCmd) exitedChan() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.exited == nil {
		c.exited = make(chan struct{})
	}
	return c.exited
}

// SetExited records that the command ended with status and wakes every
// caller of Wait. The Communicator calls it once; later calls are ignored.
func (c *RemoteCmd) SetExited(status int) {
	ch := c.exitedChan()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.done = true
	c.exitStatus = status
	close(ch)
}

// Wait blocks until the command has ended and returns its exit status.
func (c *RemoteCmd) Wait() int {
	<-c.exitedChan()
	return c.ExitStatus()
}

// Exited returns a channel that is closed when the command has ended, for
// callers that wait on it together with other events.
func (c *RemoteCmd) Exited() <-chan struct{} {
	return c.exitedChan()
}

// ExitStatus returns the command's exit status, or -1 while it is running:
// 0 for success, the command's own status when it exited, 128+N when signal
// N killed it (as shells and SSH servers report it), and CmdDisconnect when
// the connection to the machine was lost first. A Communicator never
// reports -1 for an ended command.
func (c *RemoteCmd) ExitStatus() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		return -1
	}
	return c.exitStatus
}

// CancelGrace bounds how long RunWithUi waits, once its context is
// cancelled, for the communicator to report that the command ended. A
// communicator that does not (one whose Wait waits for every process
// holding the command's output) must not hold a cancelled build up.
const CancelGrace = 5 * time.Second

// RunWithUi starts c through comm, shows every line the command writes to
// ui as it is written (standard output with Message, standard error with
// Error; see LineWriter for over-long lines and carriage returns), and
// returns the exit status once the command has ended and all its output has
// been shown. Stdout and Stderr, if set, receive the output too, byte for
// byte; they may be the same writer. Once ctx is cancelled, it waits at
// most CancelGrace more, then returns an error saying the command was given
// up on; what the communicator writes after that is dropped.
func (c *RemoteCmd) RunWithUi(ctx context.Context, comm Communicator, ui Ui) (int, error) {
	stdoutLines, stderrLines := NewLineWriter(ui.Message), NewLineWriter(ui.Error)
	originalStdout, originalStderr := c.Stdout, c.Stderr
	alsoStdout, alsoStderr := SyncSharedWriters(originalStdout, originalStderr)
	stdout := &gatedWriter{w: teeWriter(stdoutLines, alsoStdout)}
	stderr := &gatedWriter{w: teeWriter(stderrLines, alsoStderr)}
	c.Stdout, c.Stderr = stdout, stderr

	if err := comm.Start(ctx, c); err != nil {
		c.Stdout, c.Stderr = originalStdout, originalStderr
		return -1, fmt.Errorf("starting %q: %w", c.Command, err)
	}
	select {
	case <-c.Exited():
	case <-ctx.Done():
		select {
		case <-c.Exited():
		case <-time.After(CancelGrace):
			// The communicator may still write: its writers stay in place,
			// shut, and what it writes from now on is dropped.
			stdout.shut()
			stderr.shut()
			stdoutLines.Close()
			stderrLines.Close()
			return -1, fmt.Errorf("%q did not end within %s of being cancelled: its communicator did not report its exit (a process it started may still hold its output), so packer stopped waiting for it: %w", c.Command, CancelGrace, ctx.Err())
		}
	}
	c.Stdout, c.Stderr = originalStdout, originalStderr
	stdoutLines.Close()
	stderrLines.Close()
	return c.ExitStatus(), nil
}

// gatedWriter passes writes on until shut, then refuses them; shut returns
// once no write is in progress, so the writer behind it is free from then.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, io.ErrClosedPipe
	}
	return g.w.Write(p)
}

func (g *gatedWriter) shut() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func teeWriter(lines io.Writer, also io.Writer) io.Writer {
	if also == nil {
		return lines
	}
	return io.MultiWriter(lines, also)
}
