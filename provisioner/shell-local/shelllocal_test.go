package shelllocal

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func requireUnix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
}

func provision(t *testing.T, raws ...any) (*packertest.Ui, error) {
	t.Helper()
	p := new(Provisioner)
	if err := p.Prepare(raws...); err != nil {
		return nil, err
	}
	ui := &packertest.Ui{}
	return ui, p.Provision(context.Background(), ui, nil)
}

func TestShellLocal_inlineRunsHereWithPackersVariables(t *testing.T) {
	requireUnix(t)
	dir := t.TempDir()
	ui, err := provision(t, map[string]any{
		"inline":           []any{"echo $PACKER_BUILD_NAME/$PACKER_BUILDER_TYPE/$FRUIT", "echo made > \"$DIR/apple.txt\"", "echo oops >&2"},
		"environment_vars": []any{"FRUIT=it's a pear", "DIR=" + dir},
	}, map[string]any{packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if !ui.Has("potato/null/it's a pear") || !ui.Has("error: oops") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "apple.txt")); string(got) != "made\n" {
		t.Errorf("apple.txt = %q", got)
	}
}

func TestShellLocal_scriptsAndCommandRun(t *testing.T) {
	requireUnix(t)
	script := filepath.Join(t.TempDir(), "s.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho from script\n"), 0o755)
	ui, err := provision(t, map[string]any{"script": script})
	if err != nil || !ui.Has("from script") {
		t.Errorf("script: %v, Ui saw %q", err, ui.Lines())
	}
	ui, err = provision(t, map[string]any{"command": "echo from command"})
	if err != nil || !ui.Has("from command") {
		t.Errorf("command: %v, Ui saw %q", err, ui.Lines())
	}
}

func TestShellLocal_exitCodesAreCheckedAgainstValidExitCodes(t *testing.T) {
	requireUnix(t)
	_, err := provision(t, map[string]any{"inline": []any{"exit 3"}})
	if err == nil || !strings.Contains(err.Error(), "exited with status 3, which is not one of valid_exit_codes [0]") {
		t.Errorf("exit 3 = %v", err)
	}
	if _, err := provision(t, map[string]any{"inline": []any{"exit 3"}, "valid_exit_codes": []any{0, 3}}); err != nil {
		t.Errorf("exit 3 with valid_exit_codes [0 3] = %v", err)
	}
}

func TestShellLocal_onlyOnSkipsOtherSystems(t *testing.T) {
	ui, err := provision(t, map[string]any{"inline": []any{"exit 1"}, "only_on": []any{"plan9"}})
	if err != nil || !ui.Has("say: Skipping shell-local: only_on is [plan9] and this is "+runtime.GOOS) {
		t.Errorf("only_on: %v, Ui saw %q", err, ui.Lines())
	}
}

func TestShellLocal_cancellingStopsTheCommands(t *testing.T) {
	requireUnix(t)
	p := new(Provisioner)
	if err := p.Prepare(map[string]any{"inline": []any{"echo started", "exec sleep 1000"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ui := &startedUi{started: make(chan struct{})}
	go func() { <-ui.started; cancel() }()
	if err := p.Provision(ctx, ui, nil); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("Provision = %v", err)
	}
}

type startedUi struct {
	packertest.Ui
	once    sync.Once
	started chan struct{}
}

func (u *startedUi) Message(m string) { u.once.Do(func() { close(u.started) }) }

func TestShellLocal_prepareNamesEveryProblem(t *testing.T) {
	for want, raw := range map[string]map[string]any{
		"one of command, inline, script or scripts must be set":     {},
		"only one of command, inline, script or scripts may be set": {"command": "x", "inline": []any{"y"}},
		`environment_vars: "NOEQUALS" is not KEY=VALUE`:             {"inline": []any{"x"}, "environment_vars": []any{"NOEQUALS"}},
		"script: ":                           {"script": "/no/such/script"},
		`unknown configuration key: "inlin"`: {"inlin": []any{"x"}},
	} {
		if err := new(Provisioner).Prepare(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare(%v) = %v, want %q", raw, err, want)
		}
	}
}

// TestShellLocal_aScriptWithoutASlashIsTheFileHere: "scripts": ["b.sh"]
// runs ./b.sh, as in Packer, not a command b.sh looked up in PATH.
func TestShellLocal_aScriptWithoutASlashIsTheFileHere(t *testing.T) {
	requireUnix(t)
	t.Chdir(t.TempDir())
	os.WriteFile("b.sh", []byte("#!/bin/sh\necho b >> order.txt\n"), 0o755)
	os.WriteFile("a.sh", []byte("#!/bin/sh\necho a >> order.txt\n"), 0o755)
	if _, err := provision(t, map[string]any{"scripts": []any{"b.sh", "a.sh"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile("order.txt"); string(got) != "b\na\n" {
		t.Errorf("order.txt = %q, want the scripts run in order", got)
	}
}

func TestShellLocal_environmentVarsNeverGoOnTheCommandLine(t *testing.T) {
	requireUnix(t)
	tmp, out := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	argv, got := filepath.Join(out, "argv"), filepath.Join(out, "got")
	for name, execute := range map[string][]any{
		"the default": nil,
		// env -i empties the environment, as sudo does: the file still
		// hands the variables on.
		"an emptied environment": {"env", "-i", "/bin/sh", "-c", "{{.Vars}} {{.Script}}"},
	} {
		config := map[string]any{
			"inline":           []any{`echo "$TOKEN" > ` + got, `printf '%s\n' "$(cat /proc/$PPID/cmdline 2>/dev/null | tr '\0' ' ')" > ` + argv},
			"environment_vars": []any{"TOKEN=it's s3cr3t"},
		}
		if execute != nil {
			config["execute_command"] = execute
		}
		if _, err := provision(t, config); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if data, _ := os.ReadFile(got); string(data) != "it's s3cr3t\n" {
			t.Errorf("%s: the script saw TOKEN=%q", name, data)
		}
		if data, _ := os.ReadFile(argv); strings.Contains(string(data), "s3cr3t") {
			t.Errorf("%s: the command line holds the value: %q", name, data)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%s: %v left in TMPDIR: the inline script and the variables file must be removed", name, left)
		}
	}
}
