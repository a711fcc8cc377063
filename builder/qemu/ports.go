package qemu

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// freePort returns a loopback TCP port in [min, max] that nothing listens
// on now, starting at a random one so parallel builds rarely collide, and
// skipping the ports in avoid (ones that failed already). qemu binds it a
// moment later; when another program takes it first, qemu says so and the
// builder tries another.
func freePort(min, max int, avoid map[int]bool) (int, error) {
	n := max - min + 1
	start := rand.IntN(n)
	for i := range n {
		port := min + (start+i)%n
		if avoid[port] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("host_port_min and host_port_max: no free port in %d-%d on 127.0.0.1; widen the range", min, max)
}
