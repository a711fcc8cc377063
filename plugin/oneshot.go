package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/packer-classic/packer/internal/procgroup"
)

// OneShot is a plugin program run once to completion rather than served
// over RPC: a json-stdio call, or a multi-component plugin's describe.
type OneShot struct {
	// Path and Args are the program and its arguments.
	Path string
	Args []string
	// Stdin, when not nil, is the program's standard input.
	Stdin io.Reader
	// Name names the run in errors and prefixes the program's stderr
	// lines in the log; empty means the base name of Path.
	Name string
	// MaxOutput bounds what the program may print on stdout, in bytes:
	// one byte more and it is killed, and Run fails with ErrOutputLimit.
	// It must be set: an unbounded read lets a plugin take the core's
	// memory.
	MaxOutput int
	// Timeout bounds the whole run; zero leaves it to ctx.
	Timeout time.Duration
	// Logger receives the program's stderr, one prefixed line at a time
	// (lines over 64 KiB in pieces). Nil discards it.
	Logger *log.Logger
}

// Errors a one-shot run can fail with, besides the program's own failure;
// Run wraps them with the program's name and what it did.
var (
	// ErrOutputLimit: the program printed more than OneShot.MaxOutput.
	ErrOutputLimit = errors.New("output limit reached")
	// ErrTimeout: the program ran longer than OneShot.Timeout.
	ErrTimeout = errors.New("timed out")
	// ErrStopped: the supervisor was killing every plugin (the run ended
	// or was interrupted).
	ErrStopped = errors.New("stopped by packer")
)

// runError is a one-shot run's failure: the message for the user, and the
// kind (ErrOutputLimit, ...) callers test with errors.Is.
type runError struct {
	msg  string
	kind error
}

func (e *runError) Error() string { return e.msg }
func (e *runError) Unwrap() error { return e.kind }

// oneShotRun is one OneShot while it runs, as the supervisor tracks it.
type oneShotRun struct {
	cmd     *procgroup.Cmd
	stopped atomic.Bool
}

// stop kills the run's process group at once.
func (r *oneShotRun) stop() {
	r.stopped.Store(true)
	r.cmd.Kill()
}

// Run runs the program once under the supervisor and returns what it
// printed on stdout. The program runs in a process group of its own, with
// everything it starts: the group is killed when the program exits, when
// ctx is cancelled, on a timeout, at the output limit, and by KillAll; and,
// through the Guardian, when the core dies. Its stderr goes to the logger
// as it comes, and a failure quotes its last lines.
func (s *Supervisor) Run(ctx context.Context, o OneShot) ([]byte, error) {
	if o.MaxOutput <= 0 {
		return nil, fmt.Errorf("plugin: OneShot %s has no MaxOutput", o.Path)
	}
	name := o.Name
	if name == "" {
		name = filepath.Base(o.Path)
	}
	logger := o.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if o.Timeout > 0 {
		runCtx, cancel = context.WithTimeoutCause(ctx, o.Timeout, ErrTimeout)
	}
	defer cancel()

	path, args := o.Path, o.Args
	if s.Guardian != "" {
		path, args = s.Guardian, append([]string{BuiltinSubcommand, GuardArg, o.Path}, o.Args...)
	}
	cmd := procgroup.Command(runCtx, path, args...)
	setProcessGroup(cmd.Cmd) // the parent-death signal, besides
	run := &oneShotRun{cmd: cmd}
	stdout := &cappedBuffer{max: o.MaxOutput, reached: run.stop}
	stderr := newLineLog(logger, name)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Stdin, stdout, stderr

	if !s.track(run) {
		return nil, &runError{fmt.Sprintf("%s (%s) was not started: packer is stopping every plugin", name, o.Path), ErrStopped}
	}
	defer s.untrack(run)
	err := cmd.Run()
	stderr.Flush()
	what := fmt.Sprintf("%s (%s)", name, o.Path)
	switch {
	case stdout.over:
		return nil, &runError{fmt.Sprintf("%s printed more than %s on stdout, so packer stopped it", what, byteSize(o.MaxOutput)), ErrOutputLimit}
	case run.stopped.Load():
		return nil, &runError{fmt.Sprintf("%s did not finish: packer stopped it, with every plugin", what), ErrStopped}
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s was cancelled: %w", what, ctx.Err())
	case errors.Is(context.Cause(runCtx), ErrTimeout):
		return nil, &runError{fmt.Sprintf("%s did not finish within %s, so packer stopped it", what, o.Timeout), ErrTimeout}
	case err != nil && cmd.ProcessState == nil:
		return nil, fmt.Errorf("cannot run %s: %w", what, err)
	case err != nil:
		return nil, errors.New(fmt.Sprintf("%s failed: %s", what, exitDescription(err)) + stderr.quote())
	}
	return stdout.Bytes(), nil
}

// cappedBuffer keeps at most max bytes; the first byte over calls reached
// (which kills the writer) and is refused, as is everything after it. It
// is only a Writer: a ReadFrom would let io.Copy bypass the cap.
type cappedBuffer struct {
	buf     bytes.Buffer
	max     int
	over    bool
	reached func()
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.over {
		return 0, ErrOutputLimit
	}
	if b.buf.Len()+len(p) > b.max {
		b.over = true
		b.reached()
		return 0, ErrOutputLimit
	}
	return b.buf.Write(p)
}

// Bytes is what was kept.
func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// byteSize says n bytes the way a limit is written: 16 MiB, 1 MiB, 512 bytes.
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
