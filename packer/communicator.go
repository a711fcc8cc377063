package packer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Communicator reaches a machine while it is being built: it runs commands
// on it and moves files to and from it. Builders provide one through the
// provision hook; provisioners use it.
type Communicator interface {
	// Start starts cmd on the machine and returns once it is running. The
	// Communicator calls cmd.SetExited when the command ends; callers wait
	// with cmd.Wait. Cancelling ctx stops the command.
	Start(ctx context.Context, cmd *RemoteCmd) error
	// Upload writes everything read from src to the file dst on the
	// machine. fi, when not nil, gives the file's mode.
	Upload(dst string, src io.Reader, fi *os.FileInfo) error
	// UploadDir copies the local directory src to dst on the machine,
	// leaving out paths that match exclude. As with rsync, a src that ends
	// in a slash copies the directory's contents into dst; without it the
	// directory itself is created inside dst.
	UploadDir(dst, src string, exclude []string) error
	// Download writes the content of the file src on the machine to dst.
	Download(src string, dst io.Writer) error
	// DownloadDir copies the directory src on the machine to the local
	// directory dst, leaving out paths that match exclude.
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

// ExitStatus returns the command's exit status, or -1 while it is running.
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
// Error), and returns the exit status once the command has ended and all
// its output has been shown. Stdout and Stderr, if set, receive the output
// too. Once ctx is cancelled, it waits at most CancelGrace more, then
// returns an error saying the command was given up on.
func (c *RemoteCmd) RunWithUi(ctx context.Context, comm Communicator, ui Ui) (int, error) {
	stdoutR, stdoutW := io.Pipe()
	stderrR, stderrW := io.Pipe()
	var copied sync.WaitGroup
	copied.Add(2)
	go func() { defer copied.Done(); showLines(stdoutR, ui.Message) }()
	go func() { defer copied.Done(); showLines(stderrR, ui.Error) }()

	originalStdout, originalStderr := c.Stdout, c.Stderr
	c.Stdout = teeWriter(stdoutW, originalStdout)
	c.Stderr = teeWriter(stderrW, originalStderr)
	endOutput := func() {
		stdoutW.Close()
		stderrW.Close()
		copied.Wait()
	}

	if err := comm.Start(ctx, c); err != nil {
		endOutput()
		c.Stdout, c.Stderr = originalStdout, originalStderr
		return -1, fmt.Errorf("starting %q: %w", c.Command, err)
	}
	select {
	case <-c.Exited():
	case <-ctx.Done():
		select {
		case <-c.Exited():
		case <-time.After(CancelGrace):
			// The communicator may still write to the command's writers:
			// they stay as they are, closed to the Ui.
			endOutput()
			return -1, fmt.Errorf("%q did not end within %s of being cancelled: its communicator did not report its exit (a process it started may still hold its output), so packer stopped waiting for it: %w", c.Command, CancelGrace, ctx.Err())
		}
	}
	endOutput()
	c.Stdout, c.Stderr = originalStdout, originalStderr
	return c.ExitStatus(), nil
}

func teeWriter(pipe io.Writer, also io.Writer) io.Writer {
	if also == nil {
		return pipe
	}
	return io.MultiWriter(pipe, also)
}

// showLines calls show with each line read from r, without its line ending,
// and drains r to the end so the writer never blocks.
func showLines(r io.Reader, show func(string)) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		show(strings.TrimRight(scanner.Text(), "\r"))
	}
	io.Copy(io.Discard, r)
}
