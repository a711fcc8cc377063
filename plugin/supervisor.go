package plugin

import (
	"sync"

	"github.com/packer-classic/packer/internal/procgroup"
)

// Supervisor keeps track of every plugin process a run starts (plugins
// served over RPC, and one-shot runs: json-stdio calls and describes), so
// that all of them can be killed at the end, on an interrupt, or on any
// error path. Its zero value works; set Guardian for one-shot runs to be
// guarded against the core's own death (see Run).
type Supervisor struct {
	// Guardian is the packer executable. One-shot runs go through
	// `Guardian plugin --guard PROGRAM ARGS...` (see Guard), which ends
	// the program and everything it started if the core dies, even by
	// SIGKILL. Empty runs them directly: then only the program itself is
	// told of the core's death (by the parent-death signal, on Linux).
	Guardian string

	mu       sync.Mutex
	clients  []*Client
	oneShots map[*procgroup.Cmd]*oneShotRun
	adopted  []Stoppable // see Adopt
	closed   bool
}

// NewClient makes a client for the plugin and tracks it.
func (s *Supervisor) NewClient(config *ClientConfig) *Client {
	c := NewClient(config)
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.clients = append(s.clients, c)
	}
	s.mu.Unlock()
	if closed {
		// The run is over: a client made now is killed before it starts.
		c.Kill()
	}
	return c
}

// track records a one-shot run until untrack; it reports false once the
// supervisor is closed, when the run must not start.
func (s *Supervisor) track(run *oneShotRun) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.oneShots == nil {
		s.oneShots = map[*procgroup.Cmd]*oneShotRun{}
	}
	s.oneShots[run.cmd] = run
	return true
}

func (s *Supervisor) untrack(run *oneShotRun) {
	s.mu.Lock()
	delete(s.oneShots, run.cmd)
	s.mu.Unlock()
}

// close marks the supervisor closed and returns what it tracks.
func (s *Supervisor) close() ([]*Client, []*oneShotRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	runs := make([]*oneShotRun, 0, len(s.oneShots))
	for _, r := range s.oneShots {
		runs = append(runs, r)
	}
	return s.clients, runs
}

// KillAll kills every plugin started through the supervisor, in parallel,
// and returns when all have exited: a plugin served over RPC gets Kill's
// short grace to exit by itself, a one-shot run is killed at once. Plugins
// made afterwards never start.
func (s *Supervisor) KillAll() {
	clients, runs := s.close()
	for _, r := range runs {
		r.stop()
	}
	adopted := make(chan struct{})
	go s.stopAdopted(false, adopted)
	eachInParallel(clients, (*Client).Kill)
	<-adopted
}

// KillAllNow kills the process group of every plugin started through the
// supervisor at once, with no grace, even while a KillAll is waiting on
// one, and returns when the plugins served over RPC have exited: for a
// second Ctrl-C, when packer exits right after. Plugins made afterwards
// never start.
func (s *Supervisor) KillAllNow() {
	clients, runs := s.close()
	for _, r := range runs {
		r.stop()
	}
	adopted := make(chan struct{})
	go s.stopAdopted(true, adopted)
	eachInParallel(clients, (*Client).KillNow)
	<-adopted
}

// eachInParallel calls kill for every client at once and returns when all
// calls have.
func eachInParallel(clients []*Client, kill func(*Client)) {
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kill(c)
		}()
	}
	wg.Wait()
}
