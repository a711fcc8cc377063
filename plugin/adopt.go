package plugin

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Stoppable is a plugin process the supervisor did not start through a
// Client (a packer-plugin-sdk plugin's, package plugin/sdk), which it ends
// with the others: Kill with a grace period, KillNow at once. Both return
// once the process has exited.
type Stoppable interface {
	Kill()
	KillNow()
}

// Adopt has the supervisor end p with every plugin (KillAll, KillAllNow).
// It reports false once the supervisor is closed: then p must not start.
func (s *Supervisor) Adopt(p Stoppable) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.adopted = append(s.adopted, p)
	return true
}

// stopAdopted ends every adopted process, in parallel, once the supervisor
// is closed; done is closed when all have exited.
func (s *Supervisor) stopAdopted(now bool, done chan<- struct{}) {
	defer close(done)
	s.mu.Lock()
	adopted := s.adopted
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range adopted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if now {
				p.KillNow()
			} else {
				p.Kill()
			}
		}()
	}
	wg.Wait()
}

// SetProcessGroup starts cmd in a process group of its own, with the
// parent-death signal where there is one: how every plugin process starts.
func SetProcessGroup(cmd *exec.Cmd) { setProcessGroup(cmd) }

// KillProcessGroup kills cmd's process and every process of its group.
func KillProcessGroup(cmd *exec.Cmd) { killProcessGroup(cmd) }

// LineLog is where a plugin process's stderr goes: each line logged with
// the plugin's name before it, over-long lines in pieces, and the last
// lines kept for errors.
type LineLog struct{ l *lineLog }

// NewLineLog returns the LineLog of the plugin called name.
func NewLineLog(logger *log.Logger, name string) *LineLog {
	return &LineLog{newLineLog(logger, name)}
}

// Write logs every complete line of p.
func (l *LineLog) Write(p []byte) (int, error) { return l.l.Write(p) }

// Flush logs what is left of an unfinished last line.
func (l *LineLog) Flush() { l.l.Flush() }

// Quote returns what an error should say of the plugin's stderr, on lines
// of their own: its panic and the panicking goroutine's first frames when it
// printed one, else its last lines; "" when it printed nothing.
func (l *LineLog) Quote() string { return l.l.quote() }

// ExitDescription says how a process ended, from its Wait's error: "exit
// status 3", "signal: killed".
func ExitDescription(err error) string { return exitDescription(err) }

// GuardRemoveDirEnv names, in the guardian's environment, a directory it
// removes once its program has exited and the program's group is ended:
// the private directory of an SDK plugin's socket, which must not outlive
// the plugin even when the core is killed with SIGKILL and cannot remove
// it. Only a directory packer made (named packer-sdk-*) is removed.
const GuardRemoveDirEnv = "PACKER_GUARD_REMOVE_DIR"

func removeGuardedDir() {
	dir := os.Getenv(GuardRemoveDirEnv)
	if dir != "" && filepath.IsAbs(dir) && strings.HasPrefix(filepath.Base(dir), "packer-sdk-") {
		os.RemoveAll(dir)
	}
}
