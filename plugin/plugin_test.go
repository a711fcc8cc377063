package plugin

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

func runBuilder(t *testing.T, c *Client, mode string) (packer.Artifact, error) {
	t.Helper()
	b, err := c.Builder()
	if err != nil {
		t.Fatalf("starting the plugin: %v", err)
	}
	return b.Run(context.Background(), newAnsweringUi(mode), nil)
}

func TestHandshake_aPluginProcessServesItsBuilder(t *testing.T) {
	c, _ := startHelper(t, "builder", ClientConfig{})
	artifact, err := runBuilder(t, c, "plain")
	if err != nil {
		t.Fatal(err)
	}
	if artifact.Id() != "plain" || artifact.BuilderId() != "test.helper" {
		t.Errorf("artifact = %q from %q", artifact.Id(), artifact.BuilderId())
	}
	if c.Pid() == 0 || c.Exited() {
		t.Errorf("pid %d, exited %v: want a running process", c.Pid(), c.Exited())
	}
}

func TestLogs_stderrAndStrayStdoutArePrefixedWithThePluginName(t *testing.T) {
	c, logs := startHelper(t, "builder", ClientConfig{Name: "packer-builder-chatty"})
	if _, err := runBuilder(t, c, "stray-print"); err != nil {
		t.Fatal(err)
	}
	logs.waitFor("packer-builder-chatty: a stray line on stdout")
	line := logs.waitFor("a line from the log package")
	if !strings.HasPrefix(line, "packer-builder-chatty: ") {
		t.Errorf("log line %q lacks the plugin's name", line)
	}
}

// TestEndToEnd_builderProvisionerAndPostProcessorAsRealProcesses is the
// classic Packer shape with every component in its own process: the builder
// hands its communicator to the core's hook, the core runs a provisioner
// process against it, and a post-processor process reads the artifact.
func TestEndToEnd_builderProvisionerAndPostProcessorAsRealProcesses(t *testing.T) {
	requireUnix(t)
	root := t.TempDir()
	builderClient, _ := startHelper(t, "builder", ClientConfig{})
	builderClient.config.Cmd.Env = append(builderClient.config.Cmd.Env, "HELPER_COMM_ROOT="+root)
	provisionerClient, _ := startHelper(t, "provisioner", ClientConfig{Name: "packer-provisioner-test"})
	postProcessorClient, _ := startHelper(t, "post-processor", ClientConfig{Name: "packer-post-processor-test"})

	builder, err := builderClient.Builder()
	if err != nil {
		t.Fatal(err)
	}
	provisioner, err := provisionerClient.Provisioner()
	if err != nil {
		t.Fatal(err)
	}
	postProcessor, err := postProcessorClient.PostProcessor()
	if err != nil {
		t.Fatal(err)
	}

	ui := newAnsweringUi("provision")
	var hookData any
	hook := hookFunc(func(ctx context.Context, name string, hui packer.Ui, comm packer.Communicator, data any) error {
		hookData = data
		return provisioner.Provision(ctx, hui, comm)
	})
	artifact, err := builder.Run(context.Background(), ui, hook)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "greeting.txt")); string(got) != fmt.Sprintf("hello from %s\n", filepath.Base(root)) {
		t.Errorf("greeting.txt = %q", got)
	}
	if said := <-ui.said; said != fmt.Sprintf("hello from %s", filepath.Base(root)) {
		t.Errorf("the command's output reached the Ui as %q", said)
	}
	if fmt.Sprint(hookData) != "map[ID:helper]" {
		t.Errorf("hook data = %v", hookData)
	}
	result, keep, err := postProcessor.PostProcess(context.Background(), ui, artifact)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("processed built greeting.txt:%d", len(fmt.Sprintf("hello from %s\n", filepath.Base(root))))
	if result.Id() != want || !keep {
		t.Errorf("post-processed artifact = %q (keep %v), want %q", result.Id(), keep, want)
	}
}

type hookFunc func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error

func (h hookFunc) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	return h(ctx, name, ui, comm, data)
}

// yamuxRPCAttempt is what a client that knows the protocol but not the key
// would send first: a yamux window update opening stream 1.
func yamuxRPCAttempt() []byte {
	return []byte{0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func requireUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("unix process behaviour")
	}
}

// waitUntilGone waits for a process that is not this test's child to go
// away; such a process cannot be waited on, so its state is polled.
func waitUntilGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			killFromOutside(pid) // leave nothing behind for the next test
			t.Fatalf("process %d still ran 10s later (the test killed it)", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
