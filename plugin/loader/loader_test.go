package loader

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

func loaderIn(t *testing.T, dir string) *Loader {
	t.Helper()
	supervisor := &plugin.Supervisor{}
	t.Cleanup(supervisor.KillAll)
	return New(Config{Discovery: &plugin.Discovery{PluginDirs: []string{dir}}, Supervisor: supervisor})
}

func TestComponent_aPluginNobodyHasIsNotFoundSayingWhereItLooked(t *testing.T) {
	dir := t.TempDir()
	_, err := loaderIn(t, dir).Component(packer.KindBuilder, "nothing")
	if !errors.Is(err, plugin.ErrNotFound) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Component = %v, want ErrNotFound naming %s", err, dir)
	}
}

func TestComponent_aJSONStdioProgramServesNoBuilder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("executable bits")
	}
	dir := t.TempDir()
	program := filepath.Join(dir, "packer-builder-script")
	if err := os.WriteFile(program, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(program+".plugin.json", []byte(`{"protocol": "json-stdio"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loaderIn(t, dir).Component(packer.KindBuilder, "script")
	if err == nil || !strings.Contains(err.Error(), "serves post-processors and provisioners, not builders") {
		t.Errorf("Component = %v, want a json-stdio builder refused", err)
	}
	pp, err := loaderIn(t, dir).Component(packer.KindProvisioner, "script")
	if err == nil {
		t.Errorf("a provisioner named script was made from packer-builder-script: %T", pp)
	}
}
