package rpc

import (
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// run calls fn for a served method, counting it in flight, and turns a panic
// into an error the caller receives (its stack goes to the log) instead of a
// dead connection.
func (s *session) run(method string, fn func() error) (we *wireError) {
	s.inflight.begin()
	defer s.inflight.end()
	defer func() {
		if v := recover(); v != nil {
			s.logger.Printf("rpc: panic in %s: %v\n%s", method, v, debug.Stack())
			we = &wireError{Message: fmt.Sprintf("%s panicked: %v", method, v)}
		}
	}()
	return encodeError(fn())
}

// callCounter counts calls in progress and lets one wait for none.
type callCounter struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero, if someone waits
}

func (c *callCounter) begin() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *callCounter) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// waitIdle waits until no call is in progress, or timeout; it reports
// whether all calls ended.
func (c *callCounter) waitIdle(timeout time.Duration) bool {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return true
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-idle:
		return true
	case <-timer.C:
		return false
	}
}
