package plugin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// GuardArg follows BuiltinSubcommand to run the packer executable as the
// guardian of one one-shot plugin run: `packer plugin --guard PROGRAM
// ARGS...` (see Guard). Supervisor.Run starts it; main dispatches it.
const GuardArg = "--guard"

// Guard is the whole of `packer plugin --guard PROGRAM ARGS...`: it runs
// PROGRAM with its own stdin, stdout and stderr, and exits as PROGRAM did
// (the same status, or the same signal). It stands between the core and a
// program that knows nothing of packer (a json-stdio script, a describe),
// because nothing of the core runs once it is killed with SIGKILL: the
// guardian, started in a process group of its own with the parent-death
// signal, is told of the core's death (SIGTERM on Linux, a watch on its
// parent elsewhere) and kills its group, PROGRAM and all PROGRAM started.
// When PROGRAM exits, the guardian ends what it left in the group.
func Guard(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: packer plugin --guard PROGRAM [ARGS...] (run by packer itself around a one-shot plugin)")
		return 2
	}
	// Held rather than ignored, so PROGRAM gets their default handling.
	defer holdSignals()()
	terminate := make(chan os.Signal, 1)
	signal.Notify(terminate, syscall.SIGTERM)
	orphaned := parentGone()

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot run %s: %v\n", args[0], err)
		return 127
	}
	go func() {
		select {
		case <-terminate:
		case <-orphaned:
		}
		endOwnGroup(true)
		cmd.Process.Kill() // when this process leads no group of its own
	}()
	err := cmd.Wait()
	endOwnGroup(false)
	removeGuardedDir()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "waiting for %s: %v\n", args[0], err)
		return 1
	}
	signal.Reset()
	return exitLike(cmd.ProcessState)
}
