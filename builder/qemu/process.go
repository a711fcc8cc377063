package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"

	"github.com/packer-classic/packer/internal/procgroup"
)

// process is a running program the builder started (qemu, or its probe):
// in a process group of its own (a Ctrl-C at the terminal reaches packer,
// which stops qemu in order, not qemu itself), killed with its plugin (see
// dieWithPlugin), its output logged line by line and its last lines kept
// for error messages.
type process struct {
	cmd    *procgroup.Cmd
	exited chan struct{} // closed once the process has been waited for
	err    error         // Wait's result; read only after exited is closed
	output *tail
}

// startProcess starts name with args. Every line the program prints is
// logged with prefix; onLine, when not nil, sees each line too.
func startProcess(name string, args []string, prefix string, onLine func(string)) (*process, error) {
	cmd := procgroup.Command(context.Background(), name, args...)
	dieWithPlugin(cmd.Cmd)
	p := &process{cmd: cmd, exited: make(chan struct{}), output: &tail{max: 20}}
	// One writer for both: procgroup writes to it from one goroutine at a
	// time.
	lines := &lineWriter{add: func(line string) {
		log.Printf("%s: %s", prefix, line)
		p.output.add(line)
		if onLine != nil {
			onLine(line)
		}
	}}
	cmd.Stdout, cmd.Stderr = lines, lines
	log.Printf("%s: starting %s %s", prefix, name, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		lines.flush()
		log.Printf("%s: pid %d exited: %v", prefix, cmd.Process.Pid, p.err)
		close(p.exited)
	}()
	return p, nil
}

// kill stops the process group at once and waits for the process to end.
func (p *process) kill() {
	p.cmd.Kill()
	<-p.exited
}

// running reports whether the process has not ended.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// exitError describes how the process ended, with its last lines of output.
func (p *process) exitError() error {
	what := "exited"
	if p.err != nil {
		what = p.err.Error()
	}
	if out := p.output.String(); out != "" {
		return fmt.Errorf("%s %s:\n%s", p.cmd.Path, what, out)
	}
	return fmt.Errorf("%s %s", p.cmd.Path, what)
}

// errExited is the cause given to work cancelled because qemu ended.
var errExited = errors.New("qemu exited")

// tail keeps the last max lines written to it.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// runTool runs a short-lived program (qemu-img) to its end, killed with
// ctx, and returns its output in the error when it fails.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := procgroup.Command(ctx, name, args...)
	dieWithPlugin(cmd.Cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	log.Printf("running %s %s", name, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// lineWriter hands each complete line written to it to add. It is used by
// one writer at a time.
type lineWriter struct {
	add     func(string)
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 {
			return len(p), nil
		}
		w.add(strings.TrimRight(string(w.partial[:i]), "\r"))
		w.partial = w.partial[i+1:]
	}
}

// flush hands on a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.add(strings.TrimRight(string(w.partial), "\r"))
		w.partial = nil
	}
}
