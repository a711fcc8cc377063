package ssh

import (
	"context"
	"regexp"
	"strconv"
)

// Dropbear 2022.82 to 2024.85 can close a new session before its command
// starts when a child of another session on the same connection exits at
// that moment, and then aborts the whole connection on a failed assertion
// (mkj/dropbear issues 173 and 321, fixed in 2024.86): two commands at once,
// or a transfer beside a command, lose the connection. Against those
// servers each session gets a connection to itself: the first is the
// communicator's own, and a session that finds it busy gets a spare one,
// kept for the next.

var dropbearVersion = regexp.MustCompile(`^SSH-2\.0-dropbear_(\d+)\.(\d+)`)

// overlapUnsafe reports whether a server, by the version string it sent,
// cannot hold sessions that overlap.
func overlapUnsafe(serverVersion []byte) bool {
	m := dropbearVersion.FindSubmatch(serverVersion)
	if m == nil {
		return false
	}
	year, _ := strconv.Atoi(string(m[1]))
	release, _ := strconv.Atoi(string(m[2]))
	v := year*100 + release
	return v >= 202282 && v < 202486
}

// maxIdleSpares bounds the spare connections kept open unused.
const maxIdleSpares = 2

// exclusive returns a connection that holds no session, main if it is
// free, else an idle spare or a new one, and the function that frees it.
func (c *Communicator) exclusive(ctx context.Context, main *link) (*link, func(), error) {
	c.mu.Lock()
	for _, l := range append([]*link{main}, c.spares...) {
		if !l.busy && !isLost(l) {
			l.busy = true
			c.mu.Unlock()
			return l, c.releaser(l), nil
		}
	}
	c.mu.Unlock()
	client, err := c.dialer.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	l := &link{Client: client, lost: make(chan struct{}), busy: true}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		client.Close()
		return nil, nil, ErrClosed
	}
	c.spares = append(c.spares, l)
	c.mu.Unlock()
	go func() {
		client.Wait()
		close(l.lost)
		c.dropSpare(l)
	}()
	if c.cfg.KeepAliveInterval > 0 {
		go keepAlive(client, c.cfg.KeepAliveInterval, l.lost)
	}
	return l, c.releaser(l), nil
}

// releaser frees l once its session is closed; a spare beyond the few kept
// idle is closed.
func (c *Communicator) releaser(l *link) func() {
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		l.busy = false
		idle := 0
		for _, s := range c.spares {
			if !s.busy {
				idle++
			}
		}
		if idle > maxIdleSpares && l != c.client {
			l.Close()
		}
	}
}

func (c *Communicator) dropSpare(l *link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.spares {
		if s == l {
			c.spares = append(c.spares[:i], c.spares[i+1:]...)
			return
		}
	}
}

func isLost(l *link) bool {
	select {
	case <-l.lost:
		return true
	default:
		return false
	}
}
