package rpc

import (
	"context"
	"sync"
	"sync/atomic"
)

// contextTable holds the contexts the other side handed in with its calls,
// by the number it cancels them by.
type contextTable struct {
	next    atomic.Uint64 // numbers for the contexts this side hands out
	mu      sync.Mutex
	cancels map[uint64]context.CancelFunc
	early   map[uint64]bool // cancels that arrived before their call
}

// maxEarlyCancels bounds the cancels remembered for calls not yet seen.
const maxEarlyCancels = 1024

func (c *contextTable) init() {
	c.cancels = make(map[uint64]context.CancelFunc)
	c.early = make(map[uint64]bool)
}

// cancelAll cancels every context the other side handed in, once the
// connection is gone: the work it asked for stops.
func (c *contextTable) cancelAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, cancel := range c.cancels {
		cancel()
		delete(c.cancels, id)
	}
}

// cancel cancels the context handed in as id, or remembers the cancel when
// it overtook its call.
func (c *contextTable) cancel(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cancel, ok := c.cancels[id]; ok {
		cancel()
		delete(c.cancels, id)
		return
	}
	if len(c.early) >= maxEarlyCancels {
		for old := range c.early {
			delete(c.early, old)
			break
		}
	}
	c.early[id] = true
}

// exportContext prepares ctx for a call. The returned stop must be called
// when the callee no longer uses the context (usually when the call
// returns). A context that can never be cancelled crosses as nothing, and
// one that can costs nothing until it is: the cancel is sent then.
func (s *session) exportContext(ctx context.Context) (wireContext, func()) {
	if ctx == nil || ctx.Done() == nil {
		return wireContext{}, func() {}
	}
	wc := wireContext{ID: s.contexts.next.Add(1)}
	wc.Deadline, _ = ctx.Deadline()
	if ctx.Err() != nil {
		wc.Done = true
		return wc, func() {}
	}
	stop := context.AfterFunc(ctx, func() {
		if s.closed.Err() == nil {
			_ = s.control.call(controlCancel, wc.ID, new(bool))
		}
	})
	return wc, func() { stop() }
}

// importContext makes the callee's context for a call. done must be called
// when the call no longer needs it.
func (s *session) importContext(wc wireContext) (context.Context, func()) {
	if wc == (wireContext{}) {
		// A context that could never be cancelled: the connection's own
		// is enough, and costs nothing.
		return s.closed, func() {}
	}
	ctx := s.closed
	var cancelDeadline context.CancelFunc = func() {}
	if !wc.Deadline.IsZero() {
		ctx, cancelDeadline = context.WithDeadline(ctx, wc.Deadline)
	}
	// Derived from the session's context: a lost connection cancels the
	// work the other side asked for.
	ctx, cancel := context.WithCancel(ctx)
	if wc.Done {
		cancel()
	}
	if wc.ID != 0 && !wc.Done {
		s.contexts.mu.Lock()
		if s.contexts.early[wc.ID] {
			delete(s.contexts.early, wc.ID)
			cancel()
		} else {
			s.contexts.cancels[wc.ID] = cancel
		}
		s.contexts.mu.Unlock()
	}
	return ctx, func() {
		if wc.ID != 0 {
			s.contexts.mu.Lock()
			delete(s.contexts.cancels, wc.ID)
			s.contexts.mu.Unlock()
		}
		cancel()
		cancelDeadline()
	}
}
