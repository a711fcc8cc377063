package shell

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func provision(t *testing.T, config map[string]any) (*packertest.Ui, string, error) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	dir := t.TempDir()
	config["remote_folder"] = dir
	p := new(Provisioner)
	if err := p.Prepare(config, map[string]any{packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "null"}); err != nil {
		return nil, dir, err
	}
	ui := &packertest.Ui{}
	return ui, dir, p.Provision(context.Background(), ui, &local.Communicator{Dir: dir})
}

func TestShell_inlineRunsThroughTheCommunicatorAndIsCleanedUp(t *testing.T) {
	ui, dir, err := provision(t, map[string]any{
		"inline":           []any{"echo hello from $PACKER_BUILD_NAME", "echo $GREETING > made.txt", "echo warn >&2"},
		"environment_vars": []any{"GREETING=it's here"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !ui.Has("hello from potato") || !ui.Has("error: warn") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "made.txt")); string(got) != "it's here\n" {
		t.Errorf("made.txt = %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "script_") {
			t.Errorf("the uploaded script %s was left behind", e.Name())
		}
	}
}

func TestShell_scriptsRunInOrder(t *testing.T) {
	src := t.TempDir()
	a, b := filepath.Join(src, "a.sh"), filepath.Join(src, "b.sh")
	os.WriteFile(a, []byte("#!/bin/sh\necho first\n"), 0o755)
	os.WriteFile(b, []byte("#!/bin/sh\necho second\n"), 0o755)
	ui, _, err := provision(t, map[string]any{"scripts": []any{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	if !ui.Has("first") || !ui.Has("second") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
}

func TestShell_exitCodesAndMissingCommunicatorAreErrors(t *testing.T) {
	_, _, err := provision(t, map[string]any{"inline": []any{"exit 7"}})
	if err == nil || !strings.Contains(err.Error(), "exited with status 7, which is not one of valid_exit_codes [0]") {
		t.Errorf("exit 7 = %v", err)
	}
	if _, _, err := provision(t, map[string]any{"inline": []any{"exit 7"}, "valid_exit_codes": []any{7}}); err != nil {
		t.Errorf("exit 7 allowed = %v", err)
	}
	p := new(Provisioner)
	p.Prepare(map[string]any{"inline": []any{"true"}})
	if err := p.Provision(context.Background(), &packertest.Ui{}, nil); err == nil || !strings.Contains(err.Error(), `"communicator": "local"`) {
		t.Errorf("no communicator = %v", err)
	}
}

func TestShell_prepareNamesEveryProblem(t *testing.T) {
	for want, raw := range map[string]map[string]any{
		"one of inline, script or scripts must be set":     {},
		"only one of inline, script or scripts may be set": {"inline": []any{"x"}, "script": "y"},
		"script: ":                           {"script": "/no/such/script"},
		`unknown configuration key: "inlne"`: {"inlne": []any{"x"}},
		"execute_command: ":                  {"inline": []any{"x"}, "execute_command": "{{.Path"},
	} {
		if err := new(Provisioner).Prepare(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare(%v) = %v, want %q", raw, err, want)
		}
	}
}
