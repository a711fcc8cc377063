package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
	"github.com/packer-classic/packer/plugin"
)

// serveEnv, when set, makes the test binary the plugin itself (main), so a
// test can start it as a real plugin process: no separate go build needed.
const serveEnv = "UPPER_SERVE_PLUGIN"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestPostProcessor runs the framework's conformance kit on the
// post-processor, with an artifact of one file as its input.
func TestPostProcessor(t *testing.T) {
	packertest.TestPostProcessor(t, packertest.PostProcessorHarness{
		New:    func(*testing.T) packer.PostProcessor { return new(PostProcessor) },
		Config: func(*testing.T) map[string]any { return map[string]any{} },
		Input:  func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "greeting.txt") },
	})
}

// TestPostProcessor_servedByAPluginProcess runs the same kit on the
// post-processor served by a plugin process of its own, reached through the
// framework as packer reaches it: each New starts this test binary as the
// plugin (TestMain serves it) and hands the kit the client's proxy.
func TestPostProcessor_servedByAPluginProcess(t *testing.T) {
	packertest.TestPostProcessor(t, packertest.PostProcessorHarness{
		New: func(t *testing.T) packer.PostProcessor {
			self, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(self, "-test.run=^$")
			cmd.Env = append(os.Environ(), serveEnv+"=1")
			client := plugin.NewClient(&plugin.ClientConfig{Cmd: cmd})
			t.Cleanup(client.Kill)
			pp, err := client.Component(packer.KindPostProcessor)
			if err != nil {
				t.Fatal(err)
			}
			return pp.(packer.PostProcessor)
		},
		Config: func(*testing.T) map[string]any { return map[string]any{} },
		Input:  func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "greeting.txt") },
	})
}
