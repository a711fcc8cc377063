package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// e2eBin is where TestMain put the binaries; set once before any test runs.
type e2eBin struct {
	dir    string // holds packer and nothing else
	extras string // holds the test plugins, kept off every search path
	err    error
}

var bins e2eBin

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	root, err := os.MkdirTemp("", "packer-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(root)
	bins.dir = filepath.Join(root, "bin")
	bins.extras = filepath.Join(root, "plugins")
	bins.err = buildBinaries()
	return m.Run()
}

func buildBinaries() error {
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bins.dir, exe("packer")), "..").CombinedOutput(); err != nil {
		return fmt.Errorf("go build packer: %v\n%s", err, out)
	}
	entries, err := os.ReadDir("testdata/plugins")
	if err != nil {
		return err
	}
	for _, e := range entries {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bins.extras, exe(e.Name())), "./testdata/plugins/"+e.Name()).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go build %s: %v\n%s", e.Name(), err, out)
		}
	}
	return nil
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// packerRun is one run of the packer binary and what it printed.
type packerRun struct {
	code           int
	stdout, stderr string
}

func (r packerRun) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// env is one test's environment: an empty working directory and HOME, and a
// PATH holding only what the test puts in pathDir (plus the go tool's dir,
// for shells that templates call).
type env struct {
	t       *testing.T
	dir     string // the working directory
	home    string
	pathDir string
	extra   []string // additional VAR=value
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the packer binary")
	}
	if bins.err != nil {
		t.Fatalf("building the binaries failed: %v", bins.err)
	}
	return &env{t: t, dir: t.TempDir(), home: t.TempDir(), pathDir: t.TempDir()}
}

// run runs packer with args in the test's directory and waits for it.
func (e *env) run(args ...string) packerRun {
	e.t.Helper()
	cmd := e.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := packerRun{stdout: stdout.String(), stderr: stderr.String()}
	if cmd.ProcessState != nil && !cmd.ProcessState.Exited() {
		e.t.Fatalf("packer %q did not finish within %v (killed)\n%v", args, runTimeout, r)
	}
	if err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("running packer %q: %v", args, err)
		}
		r.code = exitErr.ExitCode()
	}
	return r
}

// runTimeout bounds one packer run in a test: far above any run here, so
// that a hang fails the test with its output instead of stalling the suite.
const runTimeout = 2 * time.Minute

// exitInterrupted is the status README promises for a run ended by Ctrl-C.
const exitInterrupted = 130

func (e *env) command(args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	e.t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, filepath.Join(bins.dir, exe("packer")), args...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = e.dir
	cmd.Env = append([]string{
		"HOME=" + e.home,
		"USERPROFILE=" + e.home,
		"PATH=" + e.pathDir + string(os.PathListSeparator) + systemPath(),
		"PACKER_PLUGIN_PATH=" + filepath.Join(e.home, "no-plugins"),
	}, e.extra...)
	if runtime.GOOS == "windows" {
		cmd.Env = append(cmd.Env, "SystemRoot="+os.Getenv("SystemRoot"))
	}
	return cmd
}

// systemPath keeps the directories a template's shell commands need (sh,
// echo, ...), and drops any that holds a packer-* plugin, so the host's
// plugins never leak into a test.
func systemPath() string {
	var keep []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		matches, _ := filepath.Glob(filepath.Join(dir, "packer-*"))
		if len(matches) == 0 {
			keep = append(keep, dir)
		}
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// writeFile writes a file under the test's directory.
func (e *env) writeFile(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// testPlugin returns the path of a test plugin TestMain built.
func testPlugin(name string) string {
	return filepath.Join(bins.extras, exe(name))
}

// copyPlugin copies a test plugin into dir, keeping it executable.
func (e *env) copyPlugin(name, dir string) string {
	e.t.Helper()
	data, err := os.ReadFile(testPlugin(name))
	if err != nil {
		e.t.Fatal(err)
	}
	dst := filepath.Join(dir, exe(name))
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return dst
}

func mustContain(t *testing.T, r packerRun, where, want string) {
	t.Helper()
	got := r.stdout
	if where == "stderr" {
		got = r.stderr
	}
	if !strings.Contains(got, want) {
		t.Errorf("%s does not contain %q\n%v", where, want, r)
	}
}

// hasPluginRow reports whether `packer plugins` output has this row.
func hasPluginRow(out, kind, name, source, path string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == kind && f[1] == name && f[2] == source && f[3] == path {
			return true
		}
	}
	return false
}

// commandNames are the built-in commands every packer has.
func commandNames() map[string]bool {
	return map[string]bool{"version": true, "plugins": true, "inspect": true, "build": true, "validate": true}
}
