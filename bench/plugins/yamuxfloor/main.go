// Command yamuxfloor is the benchmark's floor of the fixed design: what
// net/rpc costs over one yamux session on one loopback TCP connection, with
// nothing of this framework (no key proof, no references, no contexts). The
// host's first stream carries calls to Plugin; the plugin opens one stream
// back to the host for callbacks; every later stream the host opens is raw
// bytes, drained and answered with one byte.
package main

import (
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"

	"github.com/hashicorp/yamux"
)

// Echo is the plugin's net/rpc receiver.
type Echo struct{ mux *yamux.Session }

// Echo returns its argument.
func (Echo) Echo(in string, out *string) error { *out = in; return nil }

// Size returns the length of its argument.
func (Echo) Size(in []byte, out *int) error { *out = len(in); return nil }

// asker is the plugin's client of the host's Ask, on a stream it opens once.
var asker *rpc.Client

// Callback asks the host once.
func (e Echo) Callback(q string, out *string) error {
	if asker == nil {
		stream, err := e.mux.Open()
		if err != nil {
			return err
		}
		asker = rpc.NewClient(stream)
	}
	return asker.Call("Host.Ask", q, out)
}

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
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = io.Discard
	cfg.MaxStreamWindowSize = 4 << 20
	mux, err := yamux.Server(conn, cfg)
	if err != nil {
		os.Exit(1)
	}
	calls, err := mux.Accept()
	if err != nil {
		os.Exit(1)
	}
	server := rpc.NewServer()
	server.RegisterName("Plugin", Echo{mux: mux})
	go func() {
		for {
			s, err := mux.Accept()
			if err != nil {
				os.Exit(0)
			}
			go func() {
				io.CopyBuffer(io.Discard, s, make([]byte, 256<<10))
				s.Write([]byte{1})
				s.Close()
			}()
		}
	}()
	server.ServeConn(calls)
}
