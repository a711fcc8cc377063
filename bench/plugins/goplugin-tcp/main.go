// Command goplugin-tcp is the benchmark's plugin for hashicorp/go-plugin
// (net/rpc) over a loopback TCP listener, as go-plugin serves on Windows,
// instead of the unix socket it uses elsewhere: the same transport as ours
// and the floor, for a fair column. go-plugin has no option for it, so this
// does what its Serve does on that path, with go-plugin's own RPCServer:
// check the magic cookie, listen, print go-plugin's handshake line, hand the
// plugin's stdout and stderr to the server, and serve until told to stop.
package main

import (
	"fmt"
	"net"
	"os"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/packer-classic/packer/bench/internal/echo"
)

func main() {
	if os.Getenv(echo.Handshake.MagicCookieKey) != echo.Handshake.MagicCookieValue {
		fmt.Fprintln(os.Stderr, "goplugin-tcp is a benchmark plugin; bench starts it")
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stdoutR, stdoutW, _ := os.Pipe()
	stderrR, stderrW, _ := os.Pipe()
	fmt.Printf("%d|%d|%s|%s|%s|\n", goplugin.CoreProtocolVersion, echo.Handshake.ProtocolVersion,
		listener.Addr().Network(), listener.Addr().String(), goplugin.ProtocolNetRPC)
	os.Stdout.Sync()
	os.Stdout, os.Stderr = stdoutW, stderrW
	done := make(chan struct{})
	server := &goplugin.RPCServer{
		Plugins: map[string]goplugin.Plugin{"echo": &echo.RPCPlugin{Impl: &echo.Plugin{}}},
		Stdout:  stdoutR,
		Stderr:  stderrR,
		DoneCh:  done,
	}
	go server.Serve(listener)
	<-done
}
