package plugin

import "sync"

// Supervisor keeps track of every plugin a run starts, so that all of them
// can be killed at the end, on an interrupt, or on any error path.
type Supervisor struct {
	mu      sync.Mutex
	clients []*Client
	closed  bool
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

// KillAll kills every plugin started through the supervisor, in parallel,
// and returns when all have exited. Clients made afterwards never start.
func (s *Supervisor) KillAll() {
	s.mu.Lock()
	s.closed = true
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Kill()
		}()
	}
	wg.Wait()
}
