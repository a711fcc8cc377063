package sdk

import (
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/sdkrpc"
)

// Component returns the component the process serves, as the interface of
// its kind (a packer.Builder for packer.KindBuilder, and so on). It does
// not wait for the start: the component does, on first use.
func (p *Process) Component() (any, error) {
	switch p.config.Kind {
	case packer.KindBuilder:
		return &lazyBuilder{lazy[*sdkrpc.Builder]{p: p, make: sdkrpc.NewBuilder}}, nil
	case packer.KindProvisioner:
		return &lazyProvisioner{lazy[*sdkrpc.Provisioner]{p: p, make: sdkrpc.NewProvisioner}}, nil
	case packer.KindPostProcessor:
		return &lazyPostProcessor{lazy[*sdkrpc.PostProcessor]{p: p, make: sdkrpc.NewPostProcessor}}, nil
	}
	return nil, fmt.Errorf("plugin %s: packer-plugin-sdk plugins serve builders, provisioners and post-processors here, not %ss", p.config.Name, p.config.Kind)
}

// Pid is the process id of what was started (the guardian, when there is
// one), or 0.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

func (p *Process) markKilled() (*sdkrpc.Conn, *exec.Cmd) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.killed = true
	return p.conn, p.cmd
}

// Kill stops the plugin as Packer's plugins expect: it closes the
// connection, which an SDK plugin answers by exiting, waits a short grace,
// then kills the process group (what the plugin started too). It returns
// once the process has exited. Safe to call more than once.
func (p *Process) Kill() {
	conn, cmd := p.markKilled()
	if cmd == nil {
		return
	}
	p.killOnce.Do(func() {
		if conn != nil {
			conn.Close()
			select {
			case <-p.exited:
			case <-time.After(killGrace):
				p.logger.Printf("%s: still running %s after its connection closed; killing it", p.config.Name, killGrace)
			}
		}
		plugin.KillProcessGroup(cmd)
	})
	<-p.exited
}

// KillNow kills the process group at once (a second Ctrl-C) and returns
// when the process has exited.
func (p *Process) KillNow() {
	if _, cmd := p.markKilled(); cmd != nil {
		plugin.KillProcessGroup(cmd)
		<-p.exited
	}
}

// startError names the plugin, says why it did not start, with its exit
// and its last lines on stderr.
func (p *Process) startError(cause error) error {
	exit := ""
	select {
	case <-p.exited:
		exit = fmt.Sprintf(" [%s]", plugin.ExitDescription(p.exitErr))
	case <-time.After(200 * time.Millisecond):
	}
	return fmt.Errorf("plugin %s (%s, a packer-plugin-sdk plugin) failed to start: %w%s%s",
		p.config.Name, p.config.Path, cause, exit, p.stderr.Quote())
}

// explain turns a call the connection broke under into what became of the
// process.
func (p *Process) explain(err error) error {
	p.mu.Lock()
	stopped := p.killed
	p.mu.Unlock()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("lost the connection to plugin %s: %w", p.config.Name, err)
	}
	if stopped {
		return fmt.Errorf("packer stopped plugin %s before the call returned (the run was ending, or was interrupted)", p.config.Name)
	}
	msg := fmt.Sprintf("plugin %s exited unexpectedly (%s)", p.config.Name, plugin.ExitDescription(p.exitErr))
	return errors.New(msg + p.stderr.Quote())
}
