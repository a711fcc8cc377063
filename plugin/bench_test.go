package plugin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// Benchmarks across a real process boundary: the test binary re-executed as
// a plugin (mode "bench"), started and spoken to exactly as packer does.
// They are the quick check for start-up and for the hot paths as a plugin
// sees them; bench/ compares the same paths with go-plugin and a floor.

// BenchmarkStart is exec to the first completed call.
func BenchmarkStart(b *testing.B) {
	for range b.N {
		client := NewClient(&ClientConfig{Cmd: helperCmd("bench")})
		hook, err := client.Dispense(packer.KindHook, DefaultName)
		if err != nil {
			b.Fatal(err)
		}
		if err := hook.(packer.Hook).Run(context.Background(), "ping", nil, nil, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		client.Kill()
		b.StartTimer()
	}
}

func startBenchPlugin(b *testing.B) (*Client, packer.Hook) {
	b.Helper()
	client := NewClient(&ClientConfig{Cmd: helperCmd("bench")})
	b.Cleanup(client.Kill)
	hook, err := client.Dispense(packer.KindHook, DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	return client, hook.(packer.Hook)
}

// BenchmarkProcessCall is a trivial call into a plugin process.
func BenchmarkProcessCall(b *testing.B) {
	_, hook := startBenchPlugin(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, "ping", nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessCallback is a call whose plugin asks the core's Ui before
// it returns.
func BenchmarkProcessCallback(b *testing.B) {
	_, hook := startBenchPlugin(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := hook.Run(ctx, "callback", echoUi{}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessCall1MiB is a call into a plugin process carrying 1 MiB.
func BenchmarkProcessCall1MiB(b *testing.B) {
	_, hook := startBenchPlugin(b)
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

// BenchmarkProcessUpload streams 64 MiB through Communicator.Upload into a
// communicator that a plugin's builder lends the core.
func BenchmarkProcessUpload(b *testing.B) {
	const size = 64 << 20
	client, _ := startBenchPlugin(b)
	builder, err := client.Dispense(packer.KindBuilder, DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	var lent lentCommunicator
	if _, err := builder.(packer.Builder).Run(context.Background(), echoUi{}, &lent); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, size)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		if err := lent.comm.Upload("x", bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// profileEnv names a file for the bench plugin's CPU profile: with it set,
// `go test -bench Process ./plugin` also profiles the plugin's side.
const profileEnv = "PLUGIN_BENCH_CPUPROFILE"

// serveBenchPlugin serves benchDispenser as ServeDispenser does, writing a
// CPU profile of the plugin process when profileEnv asks for one.
func serveBenchPlugin() {
	if path := os.Getenv(profileEnv); path != "" {
		f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", profileEnv, err)
			os.Exit(1)
		}
		err = Serve(benchDispenser{}, os.Stdout)
		pprof.StopCPUProfile()
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	ServeDispenser(benchDispenser{})
}

// benchDispenser serves the bench plugin: a hook for calls, and a builder
// whose Run lends the core a communicator that discards uploads.
type benchDispenser struct{}

func (benchDispenser) Dispense(kind packer.Kind, name string) (any, error) {
	if kind == packer.KindHook {
		return benchHook{}, nil
	}
	return benchBuilder{}, nil
}

type benchHook struct{}

// Run returns at once, except for "callback", which asks the Ui first.
func (benchHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	if name == "callback" {
		_, err := ui.Ask(name)
		return err
	}
	return nil
}

type benchBuilder struct{}

func (benchBuilder) Prepare(raws ...any) ([]string, error) { return nil, nil }

func (benchBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return nil, hook.Run(ctx, packer.HookProvision, ui, discardComm{}, nil)
}

// lentCommunicator is a hook that keeps the communicator it is handed.
type lentCommunicator struct{ comm packer.Communicator }

func (l *lentCommunicator) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	l.comm = comm
	return nil
}

type echoUi struct{}

func (echoUi) Ask(q string) (string, error) { return q, nil }
func (echoUi) Say(string)                   {}
func (echoUi) Message(string)               {}
func (echoUi) Error(string)                 {}
func (echoUi) Machine(string, ...string)    {}

type discardComm struct{}

func (discardComm) Start(context.Context, *packer.RemoteCmd) error { return nil }
func (discardComm) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	_, err := io.CopyBuffer(io.Discard, src, make([]byte, 256<<10))
	return err
}
func (discardComm) UploadDir(dst, src string, exclude []string) error   { return nil }
func (discardComm) Download(src string, dst io.Writer) error            { return nil }
func (discardComm) DownloadDir(src, dst string, exclude []string) error { return nil }
