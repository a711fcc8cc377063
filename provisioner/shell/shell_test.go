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

// recordingComm is the local communicator, remembering every command line.
type recordingComm struct {
	local.Communicator
	commands []string
}

func (c *recordingComm) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	c.commands = append(c.commands, rc.Command)
	return c.Communicator.Start(ctx, rc)
}

func TestShell_environmentVarsReachTheScriptThroughAFileNeverTheCommandLine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	for name, tc := range map[string]struct {
		config    map[string]any
		wantErr   string
		wantLeft  string // a file name prefix left in the folder, or ""
		wantValue bool
	}{
		"success":           {config: map[string]any{"inline": []any{`echo "$TOKEN" > "$OUT"`}}, wantValue: true},
		"failure":           {config: map[string]any{"inline": []any{`echo "$TOKEN" > "$OUT"`, "exit 7"}}, wantErr: "status 7", wantValue: true},
		"skip_clean":        {config: map[string]any{"inline": []any{`echo "$TOKEN" > "$OUT"`}, "skip_clean": true}, wantLeft: "script_", wantValue: true},
		"EnvVarFile":        {config: map[string]any{"inline": []any{`echo "$TOKEN" > "$OUT"`}, "execute_command": "chmod +x {{.Path}}; . {{.EnvVarFile}}; {{.Path}}"}, wantValue: true},
		"a fixed file name": {config: map[string]any{"inline": []any{`echo "$TOKEN" > "$OUT"`}, "remote_file": "mine.sh"}, wantValue: true},
	} {
		t.Run(name, func(t *testing.T) {
			dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
			tc.config["remote_folder"] = dir
			tc.config["environment_vars"] = []any{"TOKEN=it's s3cr3t", "OUT=" + out}
			p := new(Provisioner)
			if err := p.Prepare(tc.config); err != nil {
				t.Fatal(err)
			}
			comm := &recordingComm{Communicator: local.Communicator{Dir: dir}}
			err := p.Provision(context.Background(), &packertest.Ui{}, comm)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Provision = %v, want error %q", err, tc.wantErr)
			}
			for _, c := range comm.commands {
				if strings.Contains(c, "s3cr3t") {
					t.Errorf("a command line holds the value: %q", c)
				}
			}
			if got, _ := os.ReadFile(out); tc.wantValue && string(got) != "it's s3cr3t\n" {
				t.Errorf("the script saw TOKEN=%q", got)
			}
			for _, left := range filesIn(t, dir) {
				if tc.wantLeft == "" || !strings.HasPrefix(left, tc.wantLeft) {
					t.Errorf("%s was left in the remote folder", left)
				}
			}
		})
	}
}

func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestShell_eachScriptGetsANewUnpredictableName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	src, dir := t.TempDir(), t.TempDir()
	var scripts []any
	for _, name := range []string{"a.sh", "b.sh"} {
		path := filepath.Join(src, name)
		os.WriteFile(path, []byte("#!/bin/sh\necho \"$0\"\n"), 0o755)
		scripts = append(scripts, path)
	}
	p := new(Provisioner)
	if err := p.Prepare(map[string]any{"scripts": scripts, "remote_folder": dir}); err != nil {
		t.Fatal(err)
	}
	ui := &packertest.Ui{}
	if err := p.Provision(context.Background(), ui, &local.Communicator{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range ui.Lines() {
		if base := filepath.Base(line); strings.HasPrefix(base, "script_") {
			names = append(names, base)
		}
	}
	// script_ + 26 characters of crypto/rand.Text (130 bits) + .sh
	if len(names) != 2 || names[0] == names[1] || len(names[0]) != len("script_.sh")+26 {
		t.Errorf("the scripts ran as %q: want two different names, each with 26 random characters", names)
	}
}
