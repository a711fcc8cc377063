// Package procgroup runs a command on this machine in a process group of
// its own, and ends that group (every process still in it is killed) when
// the command exits, when its context is cancelled, or on Kill. It is how
// every command a provisioner step or a one-shot plugin run starts is run:
// a step is over when its command exits, and nothing it put in the
// background lives on to hold the build's output open or outlast packer.
//
// A process that leaves the group (setsid, or a daemon that detaches) is
// not killed; if it still holds the command's output, Wait waits for that
// output at most WaitDelay after the group ended, then stops reading.
package procgroup

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// WaitDelay bounds how long Wait waits for output once the command has
// exited and its group has been killed: only a process that left the group
// can still hold the pipes then, and its output is not waited for longer.
const WaitDelay = 2 * time.Second

// Cmd is an exec.Cmd whose Start, Wait and Run do what the package doc
// says. Set the exec.Cmd fields (Dir, Env, Stdin, Stdout, Stderr,
// SysProcAttr beyond the group) before Start, as with exec.Cmd. When Stdout
// and Stderr are the same writer, at most one goroutine writes to it at a
// time, as with exec.Cmd.
type Cmd struct {
	*exec.Cmd

	mu       sync.Mutex // guards the start against a concurrent Kill
	killed   bool
	copies   sync.WaitGroup
	readers  []*os.File // our ends of the output pipes
	stdinW   *os.File   // our end of the input pipe, when we feed it
	errMu    sync.Mutex
	writeErr error // the first error from Stdout or Stderr
}

// Command returns a Cmd for name and args in a process group of its own;
// cancelling ctx kills the group.
func Command(ctx context.Context, name string, args ...string) *Cmd {
	c := &Cmd{Cmd: exec.CommandContext(ctx, name, args...)}
	SetGroup(c.Cmd)
	c.Cmd.Cancel = func() error {
		c.Kill()
		return nil
	}
	return c
}

// ErrKilled is returned by Start after Kill.
var ErrKilled = errors.New("killed before it started")

// Kill kills every process of the command's group now, and keeps a Start
// that has not happened yet from starting anything. It is safe to call from
// any goroutine, any number of times.
func (c *Cmd) Kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.killed = true
	if c.Process != nil {
		killGroup(c.Cmd)
	}
}

// Start starts the command. Output to a writer that is not an *os.File is
// copied by goroutines of this Cmd, not of exec, so that Wait can end the
// group as soon as the command exits instead of waiting for every holder of
// the pipes first.
func (c *Cmd) Start() error {
	var childEnds []*os.File
	closeAll := func(files []*os.File) {
		for _, f := range files {
			f.Close()
		}
	}
	pipeTo := func(w io.Writer) (*os.File, error) {
		r, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		c.readers = append(c.readers, r)
		childEnds = append(childEnds, pw)
		c.copies.Add(1)
		go c.copyOut(w, r)
		return pw, nil
	}
	fail := func(err error) error {
		closeAll(childEnds)
		closeAll(c.readers)
		c.copies.Wait()
		if c.stdinW != nil {
			c.stdinW.Close()
		}
		return err
	}
	stdout, stderr := c.Stdout, c.Stderr
	if _, isFile := stdout.(*os.File); stdout != nil && !isFile {
		pw, err := pipeTo(stdout)
		if err != nil {
			return fail(err)
		}
		c.Stdout = pw
		if sameWriter(stdout, stderr) {
			c.Stderr = pw
		}
	}
	if _, isFile := stderr.(*os.File); stderr != nil && !isFile && !sameWriter(stdout, stderr) {
		pw, err := pipeTo(stderr)
		if err != nil {
			return fail(err)
		}
		c.Stderr = pw
	}
	if in := c.Stdin; in != nil {
		if _, isFile := in.(*os.File); !isFile {
			r, w, err := os.Pipe()
			if err != nil {
				return fail(err)
			}
			childEnds = append(childEnds, r)
			c.stdinW = w
			c.Stdin = r
			// Not waited for: a reader that never ends (a stream from
			// another process) must not keep Wait from returning; closing
			// our end after the exit stops the copy at its next write.
			go func() {
				io.Copy(w, in)
				w.Close()
			}()
		}
	}
	c.mu.Lock()
	if c.killed {
		c.mu.Unlock()
		return fail(ErrKilled)
	}
	err := c.Cmd.Start()
	c.mu.Unlock()
	if err != nil {
		return fail(err)
	}
	closeAll(childEnds)
	return nil
}

// sameWriter reports whether a and b are one comparable writer, as exec.Cmd
// decides whether Stdout and Stderr share a pipe.
func sameWriter(a, b io.Writer) (same bool) {
	if a == nil || b == nil {
		return false
	}
	defer func() {
		if recover() != nil { // incomparable dynamic types
			same = false
		}
	}()
	return a == b
}

// copyOut copies one output pipe to w until it ends (or Wait closes it). A
// writer that fails is remembered and the pipe drained on, so the command
// never blocks on a full pipe.
func (c *Cmd) copyOut(w io.Writer, r *os.File) {
	defer c.copies.Done()
	buf := make([]byte, 32<<10)
	for {
		n, readErr := r.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				c.errMu.Lock()
				if c.writeErr == nil {
					c.writeErr = err
				}
				c.errMu.Unlock()
				io.Copy(io.Discard, r)
				return
			}
		}
		if readErr != nil {
			return
		}
	}
}

// Wait waits for the command to exit, kills what is left of its group, and
// waits for its output (at most WaitDelay more), then returns as
// exec.Cmd.Wait does: nil, an *exec.ExitError, the context's error for a
// command cancelled that exited 0 anyway, or a writer's error.
func (c *Cmd) Wait() error {
	err := c.Cmd.Wait()
	// The command is done: so is its step, and everything it left running.
	c.Kill()
	if c.stdinW != nil {
		c.stdinW.Close()
	}
	copied := make(chan struct{})
	go func() {
		c.copies.Wait()
		close(copied)
	}()
	select {
	case <-copied:
	case <-time.After(WaitDelay):
		// Held open by a process that left the group: stop reading.
		for _, r := range c.readers {
			r.Close()
		}
		<-copied
	}
	for _, r := range c.readers {
		r.Close()
	}
	if err == nil {
		c.errMu.Lock()
		err = c.writeErr
		c.errMu.Unlock()
	}
	return err
}

// Run starts the command and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}
