// Command floor is the benchmark's floor: a bare Go process that listens on
// loopback, prints its address, and serves plain net/rpc on the first
// connection and raw byte draining on every later one. No multiplexing, no
// handshake beyond one line.
package main

import (
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
)

// Echo is the floor's net/rpc receiver.
type Echo struct{}

// Echo returns its argument.
func (Echo) Echo(in string, out *string) error { *out = in; return nil }

// Size returns the length of its argument.
func (Echo) Size(in []byte, out *int) error { *out = len(in); return nil }

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().String())
	conn, err := l.Accept()
	if err != nil {
		os.Exit(1)
	}
	server := rpc.NewServer()
	server.RegisterName("Plugin", Echo{})
	go func() {
		// Later connections are raw streams: drain each, then answer
		// with one byte so the host knows everything arrived.
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				io.CopyBuffer(io.Discard, c, make([]byte, 256<<10))
				c.Write([]byte{1})
				c.Close()
			}()
		}
	}()
	server.ServeConn(conn)
}
