package plugin

import (
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// The plugin's side of being reached: a listener on loopback in the
// allowed port range, and connections admitted only once they prove the
// key. Serve (one core) and -debug-server (one core after another) share it.

// listenForCore listens on 127.0.0.1 on a free port of the range the
// environment allows (PACKER_PLUGIN_MIN_PORT, PACKER_PLUGIN_MAX_PORT), or,
// when the core asked for the unix transport, on a socket in the private
// directory it made (PACKER_PLUGIN_UNIX_DIR).
func listenForCore() (net.Listener, error) {
	if dir := os.Getenv(UnixDirEnv); dir != "" {
		l, err := net.Listen("unix", filepath.Join(dir, unixSocketName))
		if err != nil {
			return nil, fmt.Errorf("listening on a socket in %s (%s): %w", dir, UnixDirEnv, err)
		}
		return l, nil
	}
	ports, err := PortRangeFromEnv()
	if err != nil {
		return nil, err
	}
	return listenInRange(ports)
}

// listenInRange listens on 127.0.0.1 on the first free port of r, scanning
// from a random point and wrapping, so that concurrent runs spread out.
func listenInRange(r PortRange) (net.Listener, error) {
	size := r.Max - r.Min + 1
	start := rand.IntN(size)
	var lastErr error
	for i := range size {
		port := r.Min + (start+i)%size
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return l, nil
		}
		lastErr = err
	}
	return nil, fmt.Errorf("no free port on 127.0.0.1 in %d-%d (last error: %v); widen the range with %s and %s", r.Min, r.Max, lastErr, MinPortEnv, MaxPortEnv)
}

// acceptAuthenticated accepts connections on l until it is closed, and
// returns the error that ended Accept. Each connection's key proof is
// checked on a goroutine of its own, so one that stalls (an idle local
// connection, a port scanner) cannot keep a core out for the proof's
// timeout; one that fails is logged and closed. admit is called, on that
// goroutine, with each connection that proved the key, and owns it.
func acceptAuthenticated(l net.Listener, key []byte, logger *log.Logger, admit func(net.Conn)) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			if err := authenticatePlugin(conn, key); err != nil {
				logger.Printf("dropped a connection from %s that did not prove the key: %v", conn.RemoteAddr(), err)
				conn.Close()
				return
			}
			admit(conn)
		}()
	}
}
