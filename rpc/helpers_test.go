package rpc

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// connect serves component on one end of an in-memory connection and returns
// the core's Client on the other. Everything is closed when the test ends.
func connect(t testing.TB, component any, serverCfg, clientCfg *Config) *Client {
	t.Helper()
	core, plugin := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- Serve(plugin, component, serverCfg) }()
	client, err := NewClient(core, clientCfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() {
		client.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v after the core closed the connection", err)
		}
	})
	return client
}

// recordingUi is a packer.Ui that records what it is told, and answers Ask
// from a fixed answer (or ErrNoTerminal when there is none).
type recordingUi struct {
	mu     sync.Mutex
	lines  []string
	answer string
	said   chan string // when set, receives every line as it is shown
}

func (u *recordingUi) record(line string) {
	u.mu.Lock()
	u.lines = append(u.lines, line)
	said := u.said
	u.mu.Unlock()
	if said != nil {
		said <- line
	}
}

func (u *recordingUi) Ask(query string) (string, error) {
	u.record("ask: " + query)
	if u.answer == "" {
		return "", packer.ErrNoTerminal
	}
	return u.answer, nil
}
func (u *recordingUi) Say(m string)     { u.record("say: " + m) }
func (u *recordingUi) Message(m string) { u.record("message: " + m) }
func (u *recordingUi) Error(m string)   { u.record("error: " + m) }
func (u *recordingUi) Machine(kind string, args ...string) {
	u.record(fmt.Sprintf("machine: %s %v", kind, args))
}

func (u *recordingUi) Lines() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.lines...)
}

// fileArtifact is a plain artifact, as a builder returns one.
type fileArtifact struct {
	id        string
	files     []string
	state     map[string]any
	destroyed bool
}

func (a *fileArtifact) BuilderId() string     { return "test.files" }
func (a *fileArtifact) Files() []string       { return a.files }
func (a *fileArtifact) Id() string            { return a.id }
func (a *fileArtifact) String() string        { return "files: " + a.id }
func (a *fileArtifact) State(name string) any { return a.state[name] }
func (a *fileArtifact) Destroy() error {
	if a.destroyed {
		return fmt.Errorf("artifact %s already destroyed", a.id)
	}
	a.destroyed = true
	return nil
}

// funcBuilder is a builder whose Run is given by the test.
type funcBuilder struct {
	prepared []any
	run      func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error)
}

func (b *funcBuilder) Prepare(raws ...any) ([]string, error) {
	b.prepared = raws
	var cfg struct {
		Name  string
		Count int
	}
	if err := packer.DecodeConfig(&cfg, raws...); err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("prepared %s x%d", cfg.Name, cfg.Count)}, nil
}

func (b *funcBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	return b.run(ctx, ui, hook)
}

// funcHook is a hook whose Run is given by the test.
type funcHook func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error

func (h funcHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	return h(ctx, name, ui, comm, data)
}

// funcProvisioner is a provisioner whose Provision is given by the test.
type funcProvisioner func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error

func (p funcProvisioner) Prepare(raws ...any) error { return nil }
func (p funcProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return p(ctx, ui, comm)
}

// funcPostProcessor is a post-processor whose PostProcess is given by the test.
type funcPostProcessor func(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error)

func (p funcPostProcessor) Prepare(raws ...any) error { return nil }
func (p funcPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	return p(ctx, ui, a)
}

// pattern returns n bytes that differ at every offset modulo a prime, so a
// dropped or repeated chunk is caught by a comparison.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

func requireUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("runs commands with sh")
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// Typed accessors to the component a test's plugin end serves.

func (c *Client) Builder() packer.Builder {
	return mustComponent[packer.Builder](c, packer.KindBuilder)
}
func (c *Client) Provisioner() packer.Provisioner {
	return mustComponent[packer.Provisioner](c, packer.KindProvisioner)
}
func (c *Client) PostProcessor() packer.PostProcessor {
	return mustComponent[packer.PostProcessor](c, packer.KindPostProcessor)
}
func (c *Client) Hook() packer.Hook { return mustComponent[packer.Hook](c, packer.KindHook) }
func (c *Client) Command() packer.Command {
	return mustComponent[packer.Command](c, packer.KindCommand)
}

func mustComponent[T any](c *Client, kind packer.Kind) T {
	component, err := c.Component(kind)
	if err != nil {
		panic(err)
	}
	return component.(T)
}
