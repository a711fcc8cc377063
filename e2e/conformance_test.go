package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
	"github.com/packer-classic/packer/plugin"
)

// builtinsProcess starts the real packer binary's built-ins process, as a
// build does, and returns a function that dispenses a fresh component from
// it.
func builtinsProcess(t *testing.T) func(t *testing.T, kind packer.Kind, name string) any {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the packer binary")
	}
	if bins.err != nil {
		t.Fatalf("building the binaries failed: %v", bins.err)
	}
	if runtime.GOOS == "windows" {
		t.Skip("the kits run POSIX shell commands")
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		Cmd:  exec.Command(filepath.Join(bins.dir, exe("packer")), plugin.BuiltinSubcommand, plugin.BuiltinsArg),
		Name: "packer-builtins",
	})
	t.Cleanup(client.Kill)
	return func(t *testing.T, kind packer.Kind, name string) any {
		c, err := client.Dispense(kind, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestBuiltins_passTheKitsAcrossARealPluginProcess runs every kit against
// every built-in component, each served by packer's own built-ins process
// and reached through rpc, as a build reaches them.
func TestBuiltins_passTheKitsAcrossARealPluginProcess(t *testing.T) {
	dispense := builtinsProcess(t)
	builder := func(name string) func(t *testing.T) packer.Builder {
		return func(t *testing.T) packer.Builder { return dispense(t, packer.KindBuilder, name).(packer.Builder) }
	}
	provisioner := func(name string) func(t *testing.T) packer.Provisioner {
		return func(t *testing.T) packer.Provisioner {
			return dispense(t, packer.KindProvisioner, name).(packer.Provisioner)
		}
	}
	postProcessor := func(name string) func(t *testing.T) packer.PostProcessor {
		return func(t *testing.T) packer.PostProcessor {
			return dispense(t, packer.KindPostProcessor, name).(packer.PostProcessor)
		}
	}
	config := func(c map[string]any) func(*testing.T) map[string]any {
		return func(*testing.T) map[string]any { return c }
	}
	input := func(t *testing.T) packer.Artifact { return packertest.NewFilesArtifact(t, "image.raw") }

	t.Run("builder/null", func(t *testing.T) {
		packertest.TestBuilder(t, packertest.BuilderHarness{New: builder("null"),
			Config: config(map[string]any{"communicator": "local"}), CommunicatorDir: t.TempDir()})
	})
	t.Run("builder/file", func(t *testing.T) {
		packertest.TestBuilder(t, packertest.BuilderHarness{New: builder("file"), Config: func(t *testing.T) map[string]any {
			return map[string]any{"content": "made by the kit\n", "target": filepath.Join(t.TempDir(), "out.txt")}
		}})
	})
	t.Run("builder/rootfs", func(t *testing.T) {
		packertest.TestBuilder(t, packertest.BuilderHarness{New: builder("rootfs"), Config: func(t *testing.T) map[string]any {
			return map[string]any{"output_directory": filepath.Join(t.TempDir(), "out"), "format": "tar.gz"}
		}})
	})
	t.Run("provisioner/shell", func(t *testing.T) {
		packertest.TestProvisioner(t, packertest.ProvisionerHarness{New: provisioner("shell"),
			Config: func(t *testing.T) map[string]any {
				return map[string]any{"inline": []any{"echo provisioned by the kit"}, "remote_folder": t.TempDir()}
			},
			Communicator: func(t *testing.T) packer.Communicator { return &local.Communicator{Dir: t.TempDir()} }})
	})
	t.Run("provisioner/shell-local", func(t *testing.T) {
		packertest.TestProvisioner(t, packertest.ProvisionerHarness{New: provisioner("shell-local"),
			Config: config(map[string]any{"inline": []any{"echo provisioned by the kit"}})})
	})
	t.Run("provisioner/file", func(t *testing.T) {
		packertest.TestProvisioner(t, packertest.ProvisionerHarness{New: provisioner("file"),
			Config: func(t *testing.T) map[string]any {
				src := filepath.Join(t.TempDir(), "src.txt")
				os.WriteFile(src, []byte("uploaded by the kit\n"), 0o644)
				return map[string]any{"source": src, "destination": filepath.Join(t.TempDir(), "dst.txt")}
			},
			Communicator: func(t *testing.T) packer.Communicator { return &local.Communicator{} }})
	})
	t.Run("provisioner/breakpoint", func(t *testing.T) {
		packertest.TestProvisioner(t, packertest.ProvisionerHarness{New: provisioner("breakpoint"),
			Config: config(map[string]any{"note": "the kit"})})
	})
	for name, c := range map[string]func(t *testing.T) map[string]any{
		"manifest": func(t *testing.T) map[string]any {
			return map[string]any{"output": filepath.Join(t.TempDir(), "manifest.json")}
		},
		"checksum": func(t *testing.T) map[string]any {
			return map[string]any{"checksum_types": []any{"sha256"}, "output": filepath.Join(t.TempDir(), "{{.ChecksumType}}.sum")}
		},
		"compress": func(t *testing.T) map[string]any {
			return map[string]any{"output": filepath.Join(t.TempDir(), "out.tar.gz")}
		},
		"artifice": func(t *testing.T) map[string]any {
			return map[string]any{"files": []any{packertest.NewFilesArtifact(t, "made.txt").Paths[0]}}
		},
		"shell-local": config(map[string]any{"inline": []any{"echo post-processed by the kit"}}),
	} {
		t.Run("post-processor/"+name, func(t *testing.T) {
			packertest.TestPostProcessor(t, packertest.PostProcessorHarness{New: postProcessor(name), Config: c, Input: input})
		})
	}
}
