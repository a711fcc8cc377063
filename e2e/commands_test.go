package e2e

// End-to-end tests of the packer command itself: version, help, flags,
// the config file, the log and inspect.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestE2E_versionPrintsStampedVersion(t *testing.T) {
	e := newEnv(t)
	r := e.run("version")
	if r.code != 0 {
		t.Fatalf("packer version: %v", r)
	}
	mustContain(t, r, "stdout", "Packer v")
	if r2 := e.run("--version"); r2.stdout != r.stdout {
		t.Errorf("--version differs from version:\n%v\n%v", r2, r)
	}
}

func TestE2E_helpListsCommandsAndEachCommandHasHelp(t *testing.T) {
	e := newEnv(t)
	r := e.run("help")
	if r.code != 0 {
		t.Fatalf("packer help: %v", r)
	}
	for name := range commandNames() {
		mustContain(t, r, "stdout", name)
		h := e.run(name, "-h")
		if h.code != 0 || !strings.Contains(h.stdout, "Usage: packer "+name) {
			t.Errorf("packer %s -h: want its usage and exit 0\n%v", name, h)
		}
		if h2 := e.run("help", name); h2.stdout != h.stdout {
			t.Errorf("packer help %s differs from packer %s -h", name, name)
		}
	}
	if r := e.run(); r.code != 1 || !strings.Contains(r.stderr, "Usage: packer") {
		t.Errorf("packer with no arguments: want usage on stderr and exit 1\n%v", r)
	}
}

func TestE2E_unknownCommandIsAnError(t *testing.T) {
	e := newEnv(t)
	r := e.run("frobnicate")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", `unknown command "frobnicate"`)
	mustContain(t, r, "stderr", "packer-command-frobnicate")
}

func TestE2E_badFlagPointsAtHelp(t *testing.T) {
	e := newEnv(t)
	r := e.run("version", "-nope")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "-nope")
	mustContain(t, r, "stderr", "packer version -h")
}

func TestE2E_commandPluginFromConfigFileByAbsolutePath(t *testing.T) {
	e := newEnv(t)
	config := e.writeFile("packerconfig.json", fmt.Sprintf(`{"commands": {"hello": %q}}`, testPlugin("packer-command-hello")))
	e.extra = append(e.extra, "PACKER_CONFIG="+config)

	r := e.run("hello", "world", "again")
	if r.code != 0 {
		t.Fatalf("packer hello: %v", r)
	}
	mustContain(t, r, "stdout", "hello from a plugin: world again")

	r = e.run("hello", "fail")
	if r.code != 3 {
		t.Errorf("a failing plugin command: want its exit status, 3\n%v", r)
	}
	mustContain(t, r, "stderr", "asked to fail")

	r = e.run("help", "hello")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: packer hello") {
		t.Errorf("packer help hello: want the plugin's own help\n%v", r)
	}

	r = e.run("plugins")
	if r.code != 0 {
		t.Fatalf("packer plugins: %v", r)
	}
	if !hasPluginRow(r.stdout, "command", "hello", "config", testPlugin("packer-command-hello")) {
		t.Errorf("packer plugins does not list the configured command plugin\n%v", r)
	}
}

func TestE2E_commandPluginFoundOnPath(t *testing.T) {
	e := newEnv(t)
	path := e.copyPlugin("packer-command-hello", e.pathDir)
	r := e.run("hello", "path")
	if r.code != 0 {
		t.Fatalf("packer hello: %v", r)
	}
	mustContain(t, r, "stdout", "hello from a plugin: path")
	r = e.run("plugins")
	if !hasPluginRow(r.stdout, "command", "hello", "PATH", path) {
		t.Errorf("packer plugins does not list the plugin on PATH\n%v", r)
	}
}

func TestE2E_configFileErrorsNameFileAndKey(t *testing.T) {
	e := newEnv(t)
	missing := filepath.Join(e.dir, "packer-command-gone")
	config := e.writeFile("pc.json", fmt.Sprintf(`{"commands": {"gone": %q}}`, missing))
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
	r := e.run("gone")
	if r.code != 1 {
		t.Fatalf("want exit 1 for a configured plugin that does not exist\n%v", r)
	}
	mustContain(t, r, "stderr", "commands.gone")
	mustContain(t, r, "stderr", "does not exist")
	r = e.run("plugins")
	if r.code != 1 || !strings.Contains(r.stderr, "commands.gone") {
		t.Errorf("packer plugins: want the broken entry reported and exit 1\n%v", r)
	}
}

func TestE2E_logGoesToPackerLogPath(t *testing.T) {
	e := newEnv(t)
	logFile := filepath.Join(e.dir, "packer.log")
	e.extra = append(e.extra, "PACKER_LOG_PATH="+logFile)
	r := e.run("version")
	if r.code != 0 {
		t.Fatal(r)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("no log file: %v", err)
	}
	if !strings.Contains(string(data), "run ") || strings.Contains(r.stderr, "run ") {
		t.Errorf("want the log in %s and not on stderr\nlog:\n%s\n%v", logFile, data, r)
	}
}

func TestE2E_inspectShowsVariablesBuildsAndChains(t *testing.T) {
	e := newEnv(t)
	path := e.writeFile("t.json", `{
		"description": "two builds",
		"variables": {"fruit": "apple", "token": "s3cret", "who": null},
		"sensitive-variables": ["token"],
		"builders": [{"type": "null", "name": "one", "communicator": "none"}, {"type": "file", "content": "x", "target": "y"}],
		"provisioners": [{"type": "shell-local", "inline": ["true"], "only": ["one"]}],
		"post-processors": [["manifest", {"type": "checksum"}], "compress"]
	}`)
	r := e.run("inspect", path)
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"two builds", "Required variables:\n\n  who", "fruit = apple", "token = <sensitive>",
		"  file\n  one (null)", "shell-local (only: one)", "1: manifest -> checksum", "2: compress"} {
		mustContain(t, r, "stdout", want)
	}
	if strings.Contains(r.stdout, "s3cret") {
		t.Errorf("a sensitive variable's value was shown:\n%v", r)
	}

	r = e.run("inspect", "-machine-readable", path)
	records := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.SplitN(line, ",", 3)
		if len(f) == 3 {
			records[f[2]] = true
		}
	}
	for _, want := range []string{"template-variable,who,,1", "template-variable,fruit,apple,0", "template-builder,one,null",
		"template-provisioner,shell-local", "template-postprocessor,manifest%!(PACKER_COMMA)checksum"} {
		if !records[want] {
			t.Errorf("no machine-readable record %q in:\n%s", want, r.stdout)
		}
	}
}

func TestE2E_inspectReportsAMalformedTemplate(t *testing.T) {
	e := newEnv(t)
	path := e.writeFile("bad.json", "{\n  \"builders\": [\n    {\"type\": \"null\",}\n  ]\n}")
	r := e.run("inspect", path)
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", path)
	mustContain(t, r, "stderr", "line 3")
	if r := e.run("inspect"); r.code != 1 || !strings.Contains(r.stderr, "packer inspect -h") {
		t.Errorf("no template: want exit 1 and a pointer to -h\n%v", r)
	}
}

func TestE2E_pluginsGetARunUUIDAndTheirStderrReachesTheLog(t *testing.T) {
	e := newEnv(t)
	e.copyPlugin("packer-command-hello", e.pathDir)
	e.extra = append(e.extra, "PACKER_LOG=1")
	first := e.run("hello", "env")
	if first.code != 0 {
		t.Fatal(first)
	}
	uuid := strings.TrimPrefix(strings.TrimSpace(first.stdout), "run uuid ")
	if len(uuid) != 36 || strings.Count(uuid, "-") != 4 {
		t.Errorf("PACKER_RUN_UUID = %q, want a UUID\n%v", uuid, first)
	}
	if second := e.run("hello", "env"); strings.Contains(second.stdout, uuid) {
		t.Errorf("two runs got the same run UUID %s", uuid)
	}
	var logged bool
	for _, line := range strings.Split(first.stderr, "\n") {
		if strings.Contains(line, "packer-command-hello") && strings.Contains(line, "hello plugin writes to its stderr") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("PACKER_LOG=1: want the plugin's stderr line in the log, prefixed with its name\n%v", first)
	}
	e.extra = nil
	if quiet := e.run("hello", "env"); quiet.stderr != "" {
		t.Errorf("without PACKER_LOG nothing should be logged:\n%v", quiet)
	}
}

func TestE2E_unwritableLogPathIsAnError(t *testing.T) {
	e := newEnv(t)
	logPath := filepath.Join(e.dir, "no-such-dir", "packer.log")
	e.extra = append(e.extra, "PACKER_LOG_PATH="+logPath)
	r := e.run("version")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", logPath)
	mustContain(t, r, "stderr", "PACKER_LOG_PATH")
}

func TestE2E_configFilePortRangeIsUsed(t *testing.T) {
	e := newEnv(t)
	// Hold a port, then allow plugins only that port: the plugin cannot
	// listen, which shows the config file's range reached it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	config := e.writeFile("pc.json", fmt.Sprintf(`{"commands": {"hello": %s}, "plugin_min_port": %d, "plugin_max_port": %d}`,
		jsonString(testPlugin("packer-command-hello")), port, port))
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
	r := e.run("hello", "x")
	if r.code != 1 {
		t.Fatalf("want exit 1 when the only allowed port is taken\n%v", r)
	}
	mustContain(t, r, "stderr", strconv.Itoa(port))

	l.Close()
	if r := e.run("hello", "x"); r.code != 0 {
		t.Errorf("with the port free again: %v", r)
	}
}
