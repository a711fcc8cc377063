package rpc

import (
	"net"
	"sync"
)

// dataStreams pairs the data streams the other side opens (an upload's
// bytes, a command's output) with the calls that wait for them, by id. Ids
// are allocated by both sides, odd on the core's and even on the plugin's,
// so a stream into this side never collides with one out of it.
type dataStreams struct {
	mu      sync.Mutex
	next    uint32
	waiting map[uint32]chan net.Conn
	arrived map[uint32]net.Conn // opened before anyone waited
}

func (d *dataStreams) init(client bool) {
	d.waiting = make(map[uint32]chan net.Conn)
	d.arrived = make(map[uint32]net.Conn)
	d.next = 2
	if client {
		d.next = 1
	}
}

// closeAll closes the streams nobody waited for, once the connection is
// gone.
func (d *dataStreams) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, conn := range d.arrived {
		conn.Close()
		delete(d.arrived, id)
	}
}

func (s *session) newDataID() uint32 {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	id := s.data.next
	s.data.next += 2
	return id
}

// openData opens the data stream the other side waits for under id.
func (s *session) openData(id uint32) (net.Conn, error) {
	return s.openStream(streamData, 0, id)
}

// expectData returns a channel that yields the data stream the other side
// opens under id.
func (s *session) expectData(id uint32) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if conn, ok := s.data.arrived[id]; ok {
		delete(s.data.arrived, id)
		ch <- conn
	} else {
		s.data.waiting[id] = ch
	}
	return ch
}

// awaitData waits for the data stream id, or for the connection to go.
func (s *session) awaitData(id uint32) (net.Conn, error) {
	select {
	case conn := <-s.expectData(id):
		return conn, nil
	case <-s.closed.Done():
		s.data.mu.Lock()
		delete(s.data.waiting, id)
		s.data.mu.Unlock()
		return nil, ErrConnectionLost
	}
}

// deliverData hands a data stream the other side opened to its waiter.
func (s *session) deliverData(id uint32, conn net.Conn) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if ch, ok := s.data.waiting[id]; ok {
		delete(s.data.waiting, id)
		ch <- conn
		return
	}
	s.data.arrived[id] = conn
}
