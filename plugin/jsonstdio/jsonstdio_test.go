package jsonstdio

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer/packertest"
)

func script(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses sh scripts")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "packer-provisioner-steps")
	os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755)
	os.WriteFile(ManifestPath(path), []byte(`{"protocol": "json-stdio"}`), 0o644)
	return path
}

func TestProvisioner_runsTheStepsItsResponseAsksFor(t *testing.T) {
	path := script(t, `cat >/dev/null
cat <<'JSON'
{"steps": [{"upload": {"path": "motd", "content": "hello\n"}}, {"run": "cat motd; echo ran"}], "message": "two steps"}
JSON
`)
	if ok, err := IsJSONStdio(path); !ok || err != nil {
		t.Fatalf("IsJSONStdio = %v, %v", ok, err)
	}
	p := NewProvisioner(path, nil)
	if err := p.Prepare(map[string]any{"anything": 1}); err != nil {
		t.Fatal(err)
	}
	remote := t.TempDir()
	ui := &packertest.Ui{}
	if err := p.Provision(context.Background(), ui, &local.Communicator{Dir: remote}); err != nil {
		t.Fatal(err)
	}
	if !ui.Has("hello") || !ui.Has("ran") || !ui.Has("say: two steps") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
}

func TestProvisioner_aFailingPluginIsAnErrorWithItsStderr(t *testing.T) {
	path := script(t, "echo 'no configuration for me' >&2\nexit 3\n")
	p := NewProvisioner(path, nil)
	p.Prepare()
	err := p.Provision(context.Background(), &packertest.Ui{}, nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "no configuration for me") {
		t.Errorf("Provision = %v", err)
	}
	garbage := script(t, "cat >/dev/null; echo hello\n")
	p = NewProvisioner(garbage, nil)
	p.Prepare()
	if err := p.Provision(context.Background(), &packertest.Ui{}, nil); err == nil || !strings.Contains(err.Error(), "not a json-stdio response") {
		t.Errorf("garbage response: %v", err)
	}
}

func TestIsJSONStdio_aManifestForAnotherProtocolIsAnError(t *testing.T) {
	path := script(t, "")
	os.WriteFile(ManifestPath(path), []byte(`{"protocol": "grpc"}`), 0o644)
	if _, err := IsJSONStdio(path); err == nil || !strings.Contains(err.Error(), `declares protocol "grpc"`) {
		t.Errorf("IsJSONStdio = %v", err)
	}
}
