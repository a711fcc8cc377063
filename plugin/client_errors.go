package plugin

import (
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/packer-classic/packer/rpc"
)

// startError says which plugin failed to start and why (cause, which it
// wraps), with its exit status and what its stderr shows (see
// lineLog.quote) when it has exited.
func (c *Client) startError(cause error) error {
	path := c.config.Cmd.Path
	exit := ""
	select {
	case <-c.exited:
		exit = fmt.Sprintf(" [%s]", exitDescription(c.exitErr))
	case <-time.After(200 * time.Millisecond):
		// Give a dying process a moment, so the status and its last words
		// make it into the error; a live one is killed by the caller.
	}
	return fmt.Errorf("plugin %s (%s) failed to start: %w%s%s", c.name, path, cause, exit, c.stderr.quote())
}

func exitDescription(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ProcessState.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// callError turns a lost connection during a call into what happened to
// the plugin.
func (c *Client) callError(method string, err error) error {
	c.mu.Lock()
	stopped := c.killed // the core ended the plugin before the call failed
	c.mu.Unlock()
	select {
	case <-c.exited:
		if stopped {
			return fmt.Errorf("packer stopped plugin %s during %s, before the call returned (the run was ending, or was interrupted): %w", c.name, method, rpc.ErrConnectionLost)
		}
		// The lost connection ends the first line, not the last line
		// quoted from stderr.
		return fmt.Errorf("plugin %s exited unexpectedly (%s) during %s: %w%s", c.name, exitDescription(c.exitErr), method, rpc.ErrConnectionLost, c.stderr.quote())
	case <-time.After(exitWait):
		return fmt.Errorf("lost the connection to plugin %s during %s: %w", c.name, method, err)
	}
}

// abandoned hears that a call into the plugin went on past its deadline
// and was given up on: the component ignores its context, and its process
// is killed so that it stops what it does. A process that serves several
// components (a shared multi-component plugin) is left running, for the
// others' sake, and killed with the rest at the end of the run.
func (c *Client) abandoned(method string) {
	if n := c.dispensed.Load(); n > 1 {
		c.logger.Printf("%s: %s went on past its deadline and was given up on; the plugin serves %d components, so it is left running until the end of the run", c.name, method, n)
		return
	}
	c.logger.Printf("%s: %s went on past its deadline and was given up on; killing the plugin", c.name, method)
	go c.Kill()
}
