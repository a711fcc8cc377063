package qemu

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os/exec"
	"strings"
	"sync"
)

// process is a running program the builder started (qemu, or its probe):
// in its own process group, killed with its plugin (see processAttr), its
// output logged line by line and its last lines kept for error messages.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	err    error         // Wait's result; read only after exited is closed
	output *tail
	copied sync.WaitGroup
}

// startProcess starts name with args. Every line the program prints is
// logged with prefix; onLine, when not nil, sees each line too.
func startProcess(name string, args []string, prefix string, onLine func(string)) (*process, error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = processAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{}), output: &tail{max: 20}}
	log.Printf("%s: starting %s %s", prefix, name, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	for _, r := range []io.Reader{stdout, stderr} {
		p.copied.Add(1)
		go func() {
			defer p.copied.Done()
			s := bufio.NewScanner(r)
			s.Buffer(make([]byte, 64*1024), 1024*1024)
			for s.Scan() {
				line := s.Text()
				log.Printf("%s: %s", prefix, line)
				p.output.add(line)
				if onLine != nil {
					onLine(line)
				}
			}
			io.Copy(io.Discard, r)
		}()
	}
	go func() {
		// Wait closes the pipes: read them to the end first.
		p.copied.Wait()
		p.err = cmd.Wait()
		log.Printf("%s: pid %d exited: %v", prefix, cmd.Process.Pid, p.err)
		close(p.exited)
	}()
	return p, nil
}

// kill stops the process group at once and waits for the process to end.
func (p *process) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	if err := killGroup(p.cmd.Process.Pid); err != nil {
		p.cmd.Process.Kill()
	}
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
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = processAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
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
