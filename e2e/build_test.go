package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// probeConfig writes a config file naming the probe builder plugin by
// absolute path and points PACKER_CONFIG at it.
func (e *env) probeConfig() {
	e.t.Helper()
	config := e.writeFile("packerconfig.json", `{"builders": {"probe": `+jsonString(testPlugin("packer-builder-probe"))+`}}`)
	e.extra = append(e.extra, "PACKER_CONFIG="+config)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestE2E_buildsRunInParallelEachPrefixedAndSummarised(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	barrier := t.TempDir()
	tpl := e.writeFile("t.json", `{"builders": [
		{"type": "probe", "name": "left", "mode": "barrier", "barrier_dir": `+jsonString(barrier)+`, "barrier_count": 2},
		{"type": "probe", "name": "right", "mode": "barrier", "barrier_dir": `+jsonString(barrier)+`, "barrier_count": 2}
	]}`)
	r := e.run("build", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"left: probe passed the barrier in left", "right: probe passed the barrier in right",
		"Builds finished. The artifacts of successful builds are:", "--> probe.left: probe artifact probe-left", "--> probe.right: probe artifact probe-right"} {
		mustContain(t, r, "stdout", want)
	}
}

func TestE2E_failingBuildBesideASucceedingOne(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "good"}, {"type": "probe", "name": "bad", "mode": "fail"}]}`)
	r := e.run("build", tpl)
	if r.code != 1 {
		t.Fatalf("want exit 1 when one build fails\n%v", r)
	}
	mustContain(t, r, "stderr", "--> probe.bad: ")
	mustContain(t, r, "stderr", "probe asked to fail in build bad")
	mustContain(t, r, "stdout", "--> probe.good: probe artifact probe-good")
	assertNoProcessesFrom(t, bins.dir, bins.extras)
}

func TestE2E_builderPluginFoundOnPath(t *testing.T) {
	e := newEnv(t)
	path := e.copyPlugin("packer-builder-probe", e.pathDir)
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe"}]}`)
	r := e.run("build", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "--> probe: probe artifact probe-probe")
	if r := e.run("plugins"); !hasPluginRow(r.stdout, "builder", "probe", "PATH", path) {
		t.Errorf("packer plugins does not show the builder on PATH\n%v", r)
	}
}

func TestE2E_missingPluginIsAClearError(t *testing.T) {
	e := newEnv(t)
	tpl := e.writeFile("t.json", `{"builders": [{"type": "nosuch"}]}`)
	r := e.run("build", tpl)
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "packer-builder-nosuch")
}

func TestE2E_varAndVarFileOrder(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	vars := e.writeFile("vars.json", `{"name": "from-file", "other": "file-only"}`)
	tpl := e.writeFile("t.json", `{"variables": {"name": "default", "other": "x"},
		"builders": [{"type": "probe", "name": "b", "label": "{{user `+"`name`"+`}}-{{user `+"`other`"+`}}"}]}`)
	r := e.run("build", "-var-file="+vars, "-var", "name=from-flag", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "probe artifact probe-b-from-flag-file-only")
}

func TestE2E_anUndeclaredVariableIsAcceptedWithAWarning(t *testing.T) {
	e := newEnv(t)
	tpl := e.writeFile("t.json", `{"variables": {"name": "x"}, "builders": [{"type": "null"}]}`)
	r := e.run("validate", "-var", "nmae=typo", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stderr", `variable "nmae"`)
	mustContain(t, r, "stderr", "does not declare it")
}

func TestE2E_validateMasksSensitiveValuesInErrorsAndTheLog(t *testing.T) {
	e := newEnv(t)
	e.extra = append(e.extra, "PACKER_LOG=1")
	tpl := e.writeFile("t.json", `{"variables": {"token": "s3cr3t-value"}, "sensitive-variables": ["token"],
		"builders": [{"type": "null", "communicator": "{{user `+"`token`"+`}}"}]}`)
	r := e.run("validate", tpl)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (the communicator is unknown)\n%v", r.code, r)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cr3t-value") {
		t.Errorf("the sensitive value was shown:\n%v", r)
	}
	mustContain(t, r, "stderr", `unknown communicator "<sensitive>"`)
}

func TestE2E_validateReportsEveryErrorAtOnce(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	// Problems in the template itself: all of them, no plugin started.
	structural := e.writeFile("structural.json", `{"builders": [{"type": "probe", "name": "one"}],
		"provisioners": [{"type": "shell-local", "inline": ["true"], "only": ["three"]},
		                 {"type": "shell-local", "inline": ["true"], "except": ["four"]}]}`)
	r := e.run("validate", structural)
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	for _, want := range []string{structural, `"three"`, `"four"`, "2 error"} {
		mustContain(t, r, "stderr", want)
	}
	if r := e.run("validate", "-syntax-only", structural); r.code != 1 || !strings.Contains(r.stderr, `"four"`) {
		t.Errorf("-syntax-only: want the structural errors\n%v", r)
	}

	// Problems only the components see: every build is prepared.
	components := e.writeFile("components.json", `{"builders": [
		{"type": "probe", "name": "one", "mode": "sideways"},
		{"type": "nosuch", "name": "two"},
		{"type": "probe", "name": "three", "colour": "blue"}]}`)
	r = e.run("validate", components)
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	for _, want := range []string{`build "one"`, `mode "sideways"`, `build "two"`, "packer-builder-nosuch", `build "three"`, `"colour"`, "3 error"} {
		mustContain(t, r, "stderr", want)
	}
	if r := e.run("validate", "-syntax-only", components); r.code != 0 || !strings.Contains(r.stdout, "Syntax-only check passed") {
		t.Errorf("-syntax-only starts no plugin, so sees no component error:\n%v", r)
	}
	good := e.writeFile("good.json", `{"builders": [{"type": "probe"}]}`)
	if r := e.run("validate", good); r.code != 0 || !strings.Contains(r.stdout, "The configuration is valid.") {
		t.Errorf("a valid template: %v", r)
	}
}

func TestE2E_machineReadableParsesBack(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "a,b"}]}`)
	r := e.run("build", "-machine-readable", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	if r.stderr != "" {
		t.Errorf("machine-readable mode wrote to stderr: %q", r.stderr)
	}
	var sawArtifactID, sawSay bool
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 {
			t.Fatalf("not a timestamp,target,type record: %q", line)
		}
		for i := range f {
			f[i] = strings.ReplaceAll(f[i], "%!(PACKER_COMMA)", ",")
		}
		if f[1] == "probe.a,b" && f[2] == "artifact" && len(f) == 6 && f[4] == "id" && f[5] == "probe-a,b" {
			sawArtifactID = true
		}
		if f[1] == "probe.a,b" && f[2] == "ui" && len(f) >= 5 && f[3] == "say" && strings.Contains(f[4], "probe building a,b") {
			sawSay = true
		}
	}
	if !sawArtifactID || !sawSay {
		t.Errorf("want the build's say line and artifact id record, targeted at build probe.a,b (TYPE.NAME, as in Packer):\n%s", r.stdout)
	}
}

func TestE2E_builtinsRunInOneProcessOfTheirOwnAndNoneIsLeft(t *testing.T) {
	e := newEnv(t)
	r := e.run("plugins")
	exePath := filepath.Join(bins.dir, exe("packer"))
	for _, name := range []string{"null", "file"} {
		if !hasPluginRow(r.stdout, "builder", name, "built-in", exePath) {
			t.Errorf("packer plugins does not list the built-in builder %s\n%v", name, r)
		}
	}
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "none"}, {"type": "file", "content": "hi", "target": "hi.txt"}]}`)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r = e.run("build", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "--> file: Stored file: hi.txt")
	mustContain(t, r, "stdout", "--> null: ")
	// The log shows the built-ins started once, as a process of their own
	// (packer re-executed), serving both builds.
	mustContain(t, r, "stderr", "starting the built-in components' process: "+exePath)
	if n := strings.Count(r.stderr, "starting the built-in components' process"); n != 1 {
		t.Errorf("the built-ins' process was started %d times, want once", n)
	}
	assertNoProcessesFrom(t, bins.dir, bins.extras)
}

// TestE2E_exampleHelloBuilds runs the README's first command: the example
// template must build on a fresh machine and show what it did.
func TestE2E_exampleHelloBuilds(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the example's provisioners are POSIX shell")
	}
	e := newEnv(t)
	example, err := filepath.Abs(filepath.Join("..", "examples", "hello.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The quick start runs it after make dev, which made bin/; the
	// manifest, as Packer's, does not make its directory.
	if err := os.Mkdir(filepath.Join(e.dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.run("build", example)
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"first: hello from shell-local, in build first (null builder)",
		"second: hello from the shell provisioner",
		"second: only the second build runs this one",
		"post-processed first",
		"Builds finished. The artifacts of successful builds are:",
	} {
		mustContain(t, r, "stdout", want)
	}
	if strings.Contains(r.stdout, "first: only the second build") {
		t.Errorf("the only:[second] provisioner ran in build first\n%v", r)
	}
	data, err := os.ReadFile(filepath.Join(e.dir, "bin", "hello-manifest.json"))
	if err != nil || !strings.Contains(string(data), `"first"`) || !strings.Contains(string(data), `"second"`) {
		t.Errorf("bin/hello-manifest.json should list both builds: %v\n%s", err, data)
	}
	assertNoProcessesFrom(t, bins.dir, bins.extras)
}

func TestE2E_onErrorAbortSaysWhatWasLeft(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "bad", "mode": "fail"}]}`)
	r := e.run("build", "-on-error=abort", tpl)
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "-on-error=abort: build 'probe.bad' left what it made in place")
	r = e.run("build", tpl)
	if strings.Contains(r.stderr, "left what it made in place") {
		t.Errorf("the default -on-error=cleanup must not say resources were left\n%v", r)
	}
}

func TestE2E_badBuildOptionsAreErrors(t *testing.T) {
	e := newEnv(t)
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null"}]}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-on-error=ask", tpl}, "-on-error"},
		{[]string{"-parallel-builds=-1", tpl}, "-parallel-builds"},
		{[]string{"-only=null", "-except=null", tpl}, "no builds to run"},
		{[]string{"-only=nosuch", tpl}, "-only=nosuch names no build"},
		{[]string{"-only=null.null", tpl}, "-only=null.null names no build"},
		{[]string{"-var", "novalue", tpl}, "key=value"},
		{[]string{"-var-file=" + filepath.Join(e.dir, "missing.json"), tpl}, "missing.json"},
		{[]string{tpl, "extra"}, "exactly one template"},
		{[]string{filepath.Join(e.dir, "nosuch.json")}, "nosuch.json"},
	} {
		r := e.run(append([]string{"build"}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("packer build %q: want exit 1 and %q on stderr\n%v", c.args, c.want, r)
		}
	}
}

func TestE2E_debugRunsBuildsOneAtATime(t *testing.T) {
	e := newEnv(t)
	e.probeConfig()
	tpl := e.writeFile("t.json", `{"builders": [{"type": "probe", "name": "a"}, {"type": "probe", "name": "b"}]}`)
	r := e.run("build", "-debug", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "Debug mode enabled. Builds will not be parallelized.")
	// One at a time: a's last line comes before b's first.
	if end, start := strings.Index(r.stdout, "Build 'probe.a' finished"), strings.Index(r.stdout, "probe building b"); end < 0 || start < end {
		t.Errorf("builds overlapped in -debug mode:\n%s", r.stdout)
	}
}

func TestE2E_externalPluginOverridesTheBuiltinOfTheSameName(t *testing.T) {
	e := newEnv(t)
	data, err := os.ReadFile(testPlugin("packer-builder-probe"))
	if err != nil {
		t.Fatal(err)
	}
	override := filepath.Join(e.dir, exe("packer-builder-null"))
	if err := os.WriteFile(override, data, 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.run("plugins")
	if !hasPluginRow(r.stdout, "builder", "null", "current-dir", override) {
		t.Errorf("packer plugins should show the null builder from the current directory\n%v", r)
	}
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "name": "n"}]}`)
	r = e.run("build", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "probe building n")
}

// TestE2E_whatPackerAcceptsQuietlyIsWarnedAbout: a bare-number duration
// (nanoseconds), {{build}} of a value the builder did not share (<no
// value>), {{user}} of an undeclared variable ("") and -only naming no build
// all run as in Packer, and each is named in a warning.
func TestE2E_whatPackerAcceptsQuietlyIsWarnedAbout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell-local runs sh")
	}
	e := newEnv(t)
	tpl := e.writeFile("t.json", `{"builders": [{"type": "file", "content": "x", "target": "a.txt"}],
		"provisioners": [{"type": "shell-local", "pause_before": 5,
			"inline": ["echo '{{build `+"`ID`"+`}}|{{user `+"`nope`"+`}}' > out.txt"]}]}`)
	r := e.run("build", "-only=file,nosuch", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	if got, _ := os.ReadFile(filepath.Join(e.dir, "out.txt")); string(got) != "<no value>|\n" {
		t.Errorf("out.txt = %q, want Packer's rendering %q", got, "<no value>|\n")
	}
	for _, want := range []string{
		`provisioner 1: "pause_before": 5 is a bare number, which Packer (and this packer) reads as 5 nanoseconds`,
		"-only=nosuch names no build",
	} {
		mustContain(t, r, "stderr", want)
	}
	for _, want := range []string{
		"Warning: provisioner 1 (shell-local): inline[0]: {{build `ID`}}: the builder shared no value \"ID\" (it shared nothing)",
		"Warning: provisioner 1 (shell-local): inline[0]: {{user `nope`}}: no variable \"nope\" is declared",
	} {
		mustContain(t, r, "stdout", want)
	}
}
