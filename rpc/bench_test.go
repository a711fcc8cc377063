package rpc

import (
	"bytes"
	"context"
	"io"
	"net"
	netrpc "net/rpc"
	"os"
	"testing"

	"github.com/hashicorp/yamux"
	"github.com/packer-classic/packer/packer"
)

// Benchmarks run over loopback TCP, as plugins do, so their figures compare
// with the floor: plain net/rpc on a plain TCP connection.

func tcpPair(b *testing.B) (core, plugin net.Conn) {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	core, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	return core, <-accepted
}

func connectTCP(b *testing.B, component any) *Client {
	b.Helper()
	core, plugin := tcpPair(b)
	go Serve(plugin, component, nil)
	client, err := NewClient(core, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	return client
}

// BenchmarkCall is a trivial call: string in, string out.
func BenchmarkCall(b *testing.B) {
	client := connectTCP(b, funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		return nil
	}))
	hook := client.Hook()
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, "ping", nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallWithContext is BenchmarkCall with a context that can be
// cancelled, as Run, Provision and PostProcess get: what exporting it costs.
func BenchmarkCallWithContext(b *testing.B) {
	client := connectTCP(b, funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		return nil
	}))
	hook := client.Hook()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, "ping", nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallback is a call whose callee calls back into the caller's Ui
// before returning.
func BenchmarkCallback(b *testing.B) {
	client := connectTCP(b, funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		ui.Say(name)
		return nil
	}))
	hook := client.Hook()
	ui := discardUi{}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, "ping", ui, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCall1MiB is a call carrying a 1 MiB argument.
func BenchmarkCall1MiB(b *testing.B) {
	client := connectTCP(b, funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		return nil
	}))
	hook := client.Hook()
	name := string(bytes.Repeat([]byte("x"), 1<<20))
	ctx := context.Background()
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, name, nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpload streams 64 MiB from the core to a plugin's communicator.
func BenchmarkUpload(b *testing.B) {
	const size = 64 << 20
	var comm packer.Communicator
	client := connectTCP(b, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		comm = c
		return nil
	}))
	if err := client.Provisioner().Provision(context.Background(), nil, discardCommunicator{}); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, size)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		if err := comm.Upload("x", bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorNetRPCCall is the floor for BenchmarkCall: plain net/rpc on
// a plain loopback TCP connection.
func BenchmarkFloorNetRPCCall(b *testing.B) {
	core, plugin := tcpPair(b)
	server := netrpc.NewServer()
	server.RegisterName("Echo", new(echoService))
	go server.ServeConn(plugin)
	client := netrpc.NewClient(core)
	defer client.Close()
	b.ResetTimer()
	for range b.N {
		var reply string
		if err := client.Call("Echo.Echo", "ping", &reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorNetRPCOverYamuxCall is the floor of the fixed design: plain
// net/rpc on one stream of a yamux session over loopback TCP, nothing of
// this package's. What BenchmarkCall costs beyond it is ours.
func BenchmarkFloorNetRPCOverYamuxCall(b *testing.B) {
	core, plugin := tcpPair(b)
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = io.Discard
	go func() {
		mux, err := yamux.Server(plugin, cfg)
		if err != nil {
			return
		}
		stream, err := mux.Accept()
		if err != nil {
			return
		}
		server := netrpc.NewServer()
		server.RegisterName("Echo", new(echoService))
		server.ServeConn(stream)
	}()
	mux, err := yamux.Client(core, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer mux.Close()
	stream, err := mux.Open()
	if err != nil {
		b.Fatal(err)
	}
	client := netrpc.NewClient(stream)
	b.ResetTimer()
	for range b.N {
		var reply string
		if err := client.Call("Echo.Echo", "ping", &reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorNetRPCCall1MiB is the floor for BenchmarkCall1MiB.
func BenchmarkFloorNetRPCCall1MiB(b *testing.B) {
	core, plugin := tcpPair(b)
	server := netrpc.NewServer()
	server.RegisterName("Echo", new(echoService))
	go server.ServeConn(plugin)
	client := netrpc.NewClient(core)
	defer client.Close()
	arg := string(bytes.Repeat([]byte("x"), 1<<20))
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for range b.N {
		var n int
		if err := client.Call("Echo.Len", arg, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorTCPStream is the floor for BenchmarkUpload: bytes copied
// over a plain loopback TCP connection.
func BenchmarkFloorTCPStream(b *testing.B) {
	const size = 64 << 20
	core, plugin := tcpPair(b)
	defer core.Close()
	received := make(chan struct{})
	go func() {
		for {
			if _, err := io.CopyN(io.Discard, plugin, size); err != nil {
				return
			}
			received <- struct{}{}
		}
	}()
	data := make([]byte, size)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		core.Write(data)
		<-received
	}
}

type echoService struct{}

func (echoService) Echo(in string, out *string) error { *out = in; return nil }

func (echoService) Len(in string, out *int) error { *out = len(in); return nil }

type discardUi struct{}

func (discardUi) Ask(string) (string, error) { return "", packer.ErrNoTerminal }
func (discardUi) Say(string)                 {}
func (discardUi) Message(string)             {}
func (discardUi) Error(string)               {}
func (discardUi) Machine(string, ...string)  {}

type discardCommunicator struct{}

func (discardCommunicator) Start(context.Context, *packer.RemoteCmd) error { return nil }
func (discardCommunicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	_, err := io.Copy(io.Discard, src)
	return err
}
func (discardCommunicator) UploadDir(dst, src string, exclude []string) error   { return nil }
func (discardCommunicator) Download(src string, dst io.Writer) error            { return nil }
func (discardCommunicator) DownloadDir(src, dst string, exclude []string) error { return nil }

// BenchmarkDispense asks a dispensing plugin for a new component.
func BenchmarkDispense(b *testing.B) {
	client := connectTCP(b, &namedBuilders{})
	b.ResetTimer()
	for range b.N {
		if _, err := client.Dispense(packer.KindBuilder, "counter"); err != nil {
			b.Fatal(err)
		}
	}
}
