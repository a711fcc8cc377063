package ssh

import (
	"net"
	"sync"
	"testing"
)

// proxy stands between a test's communicator and sshd as qemu's port
// forward stands between packer and a machine: it accepts every connection
// at once and forwards it to the backend, or, while there is none (the
// machine is not up), closes it before anything is said. It can also drop
// every connection (a reboot) and freeze them (a machine that vanished
// without closing its connections).
type proxy struct {
	listener net.Listener
	addr     string
	port     int
	// accepted gets a value for every connection accepted.
	accepted chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	backend string
	frozen  bool
	conns   []net.Conn
}

func startProxy(t *testing.T, backend string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{listener: l, addr: l.Addr().String(), port: l.Addr().(*net.TCPAddr).Port,
		accepted: make(chan struct{}, 1000), backend: backend}
	p.cond = sync.NewCond(&p.mu)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			p.accepted <- struct{}{}
			go p.forward(conn)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		p.drop()
		p.setFrozen(false)
	})
	return p
}

func (p *proxy) forward(conn net.Conn) {
	p.mu.Lock()
	backend := p.backend
	p.mu.Unlock()
	if backend == "" {
		conn.Close()
		return
	}
	server, err := net.Dial("tcp", backend)
	if err != nil {
		conn.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, conn, server)
	p.mu.Unlock()
	go p.pump(server, conn)
	p.pump(conn, server)
}

// pump copies from src to dst, holding each chunk while the proxy is
// frozen.
func (p *proxy) pump(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.frozen {
				p.cond.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) setBackend(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backend = addr
}

// drop closes every connection forwarded so far.
func (p *proxy) drop() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (p *proxy) setFrozen(frozen bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = frozen
	p.cond.Broadcast()
}

// waitAccepted waits until n more connections have been accepted.
func (p *proxy) waitAccepted(n int) {
	for range n {
		<-p.accepted
	}
}
