package sdkrpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/rpc"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

// AcceptTimeout is how long a side waits for the stream it named in a call
// to be opened, and how long a stream opened for an id nobody waits for is
// kept: the SDK's broker uses 5 seconds both ways.
const AcceptTimeout = 5 * time.Second

// broker is the SDK's mux broker over one yamux session: Dial(id) opens a
// stream and writes id as a 4-byte little-endian number, which the other
// side's Accept(id) echoes as the ack. Each side numbers its own ids from
// 1 (0 is the main stream, which the core dials): an id names an Accept of
// the side that allocated it, so the two counters never collide.
type broker struct {
	session *yamux.Session
	next    atomic.Uint32

	mu      sync.Mutex
	pending map[uint32]chan net.Conn
}

func newBroker(session *yamux.Session) *broker {
	b := &broker{session: session, pending: map[uint32]chan net.Conn{}}
	go b.run()
	return b
}

// nextID allocates an id for a stream this side will Accept.
func (b *broker) nextID() uint32 { return b.next.Add(1) }

// slot returns the channel an inbound stream for id is handed over on.
func (b *broker) slot(id uint32) chan net.Conn {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, ok := b.pending[id]
	if !ok {
		ch = make(chan net.Conn, 1)
		b.pending[id] = ch
	}
	return ch
}

func (b *broker) forget(id uint32) {
	b.mu.Lock()
	delete(b.pending, id)
	b.mu.Unlock()
}

// run hands every inbound stream to the Accept of its id, closing one
// nobody claims within AcceptTimeout.
func (b *broker) run() {
	for {
		s, err := b.session.AcceptStream()
		if err != nil {
			return
		}
		var id uint32
		if err := binary.Read(s, binary.LittleEndian, &id); err != nil {
			s.Close()
			continue
		}
		select {
		case b.slot(id) <- s:
			go b.expire(id, s)
		default:
			s.Close() // a second stream for one id
		}
	}
}

// expire closes s if it is still unclaimed after AcceptTimeout.
func (b *broker) expire(id uint32, s net.Conn) {
	time.Sleep(AcceptTimeout)
	b.mu.Lock()
	ch := b.pending[id]
	b.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case unclaimed := <-ch:
		b.forget(id)
		unclaimed.Close()
	default:
	}
}

// accept waits for the peer to open the stream for id, and acks it.
func (b *broker) accept(id uint32) (net.Conn, error) {
	ch := b.slot(id)
	defer b.forget(id)
	timer := time.NewTimer(AcceptTimeout)
	defer timer.Stop()
	var c net.Conn
	select {
	case c = <-ch:
	case <-timer.C:
		return nil, fmt.Errorf("the plugin did not open stream %d within %s", id, AcceptTimeout)
	case <-b.session.CloseChan():
		return nil, fmt.Errorf("waiting for stream %d: %w", id, errClosed)
	}
	if err := binary.Write(c, binary.LittleEndian, id); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dial opens the stream for the peer's id and checks its ack.
func (b *broker) dial(id uint32) (net.Conn, error) {
	s, err := b.session.OpenStream()
	if err != nil {
		return nil, fmt.Errorf("opening stream %d: %w", id, err)
	}
	// The peer acks at once, or closes a stream nobody waits for after
	// AcceptTimeout: a peer silent for longer is not serving this
	// connection (another process took the plugin first).
	s.SetDeadline(time.Now().Add(AcceptTimeout + time.Second))
	if err := binary.Write(s, binary.LittleEndian, id); err != nil {
		s.Close()
		return nil, err
	}
	var ack uint32
	if err := binary.Read(s, binary.LittleEndian, &ack); err != nil {
		s.Close()
		return nil, fmt.Errorf("reading the ack of stream %d: %w", id, err)
	}
	s.SetDeadline(time.Time{})
	if ack != id {
		s.Close()
		return nil, fmt.Errorf("stream %d was acked as %d", id, ack)
	}
	return s, nil
}

// dialClient opens the stream for id and returns a net/rpc client on it.
func (b *broker) dialClient(id uint32) (*rpc.Client, error) {
	s, err := b.dial(id)
	if err != nil {
		return nil, err
	}
	return newClient(s), nil
}

// serve allocates an id and serves services (by name) on the stream the
// peer opens for it, until that stream ends; it returns the id to name in
// the call. A peer that never opens it costs AcceptTimeout and nothing
// else.
func (b *broker) serve(services map[string]any, logger *log.Logger) uint32 {
	id := b.nextID()
	srv := rpc.NewServer()
	for name, svc := range services {
		if r, ok := svc.(interface{ withRegister(*rpc.Server) }); ok {
			r.withRegister(srv)
		}
		if err := srv.RegisterName(name, svc); err != nil {
			panic(fmt.Sprintf("sdkrpc: registering %s: %v", name, err)) // a programming error
		}
	}
	go func() {
		c, err := b.accept(id)
		if err != nil {
			logger.Printf("sdk plugin: serving stream %d: %v", id, err)
			return
		}
		srv.ServeCodec(serverCodec{newStream(c)})
	}()
	return id
}

// serveCopy accepts the stream for id and copies src into it, or it into
// dst, closing it at the end; done (when not nil) is closed then.
func (b *broker) serveCopy(id uint32, dst io.Writer, src io.Reader, done chan<- error) {
	c, err := b.accept(id)
	if err == nil {
		if dst != nil {
			_, err = io.Copy(dst, c)
		} else {
			_, err = io.Copy(c, src)
		}
		c.Close()
	}
	if done != nil {
		done <- err
	}
}

// errClosed says the connection to the plugin is gone.
var errClosed = errors.New("the connection to the plugin is closed")
