//go:build unix

package e2e

// TestGolden runs the golden corpus recorded from Packer v1.16.0
// (testdata/packer-golden/cases, see its README) and this project's own
// cases written from Packer's documentation (testdata/packer-golden/
// cases-ours) through bin/packer exactly as the corpus's check.py does, and
// compares every file left behind, the exit code and the output lines each
// case names. Unix only: the cases run /bin/sh.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	goldenDir        = "testdata/packer-golden"
	goldenCaseTimout = 120 * time.Second
	// goldenShownDiffs is how many differences a failing case shows, as
	// check.py does without -v (go test -v shows them all).
	goldenShownDiffs = 3
)

// knownDifference marks one file of a case where this project deliberately
// does better than Packer: the file is compared with Ours instead of what
// Packer left, and everything else of the case is checked as usual.
type knownDifference struct {
	File   string     `json:"file"`
	Reason string     `json:"reason"`
	Ours   descriptor `json:"ours"`
}

func TestGolden(t *testing.T) {
	newEnv(t) // skips with -short, fails if the binaries did not build
	known := readKnownDifferences(t)
	var cases []string
	for _, dir := range []string{"cases", "cases-ours"} {
		cases = append(cases, goldenCases(t, filepath.Join(goldenDir, dir))...)
	}
	for name := range known {
		if !slicesContainsBase(cases, name) {
			t.Errorf("known-differences.json marks %q, which is not a case", name)
		}
	}

	// check.py runs every case with umask 022; the child inherits it.
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })

	slots := make(chan struct{}, max(1, min(4, runtime.GOMAXPROCS(0))))
	var passed, failed, marked atomic.Int32
	t.Cleanup(func() {
		t.Logf("golden corpus: %d passed, %d failed (%d cases pass with known differences)", passed.Load(), failed.Load(), marked.Load())
	})
	for _, dir := range cases {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()

			expected := readExpected(t, dir)
			marks := known[name]
			packerFiles := applyKnownDifferences(t, expected, marks)
			result := runGoldenCase(t, dir, expected)
			diffs := compareGolden(expected, result)
			if len(marks) > 0 && len(diffs) == 0 {
				marked.Add(1)
				for _, m := range marks {
					if len(diffDescriptor(m.File, packerFiles[m.File], result.files[m.File])) == 0 {
						t.Errorf("%s now matches what Packer left: remove its mark from known-differences.json", m.File)
					}
				}
			}
			if len(diffs) == 0 {
				passed.Add(1)
				return
			}
			failed.Add(1)
			t.Error(formatDiffs(diffs, result))
		})
	}
}

func slicesContainsBase(dirs []string, name string) bool {
	for _, d := range dirs {
		if filepath.Base(d) == name {
			return true
		}
	}
	return false
}

// formatDiffs shows a case's first differences as check.py does; with -v,
// every difference and the end of the run's output.
func formatDiffs(diffs []string, result goldenResult) string {
	shown := diffs
	if !testing.Verbose() && len(shown) > goldenShownDiffs {
		shown = shown[:goldenShownDiffs]
	}
	report := strings.Join(shown, "; ")
	if len(shown) < len(diffs) {
		report += fmt.Sprintf(" (+%d more)", len(diffs)-len(shown))
	}
	if testing.Verbose() {
		lines := strings.Split(strings.TrimRight(result.output, "\n"), "\n")
		report += "\n     --- output ---\n     | " + strings.Join(lines[max(0, len(lines)-40):], "\n     | ")
	}
	return report
}

// goldenCases lists the case folders under dir (those with an
// expected.json), sorted; a missing dir has none.
func goldenCases(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "expected.json")); err == nil {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

func readExpected(t *testing.T, dir string) map[string]any {
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := decodeJSON(data)
	expected, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("%s/expected.json is not a JSON object: %v", dir, err)
	}
	if _, ok := expected["files"].(map[string]any); !ok {
		expected["files"] = map[string]any{}
	}
	return expected
}

func readKnownDifferences(t *testing.T) map[string][]knownDifference {
	data, err := os.ReadFile(filepath.Join(goldenDir, "known-differences.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var known map[string][]knownDifference
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&known); err != nil {
		t.Fatalf("known-differences.json: %v", err)
	}
	for name, marks := range known {
		for _, m := range marks {
			if m.File == "" || strings.TrimSpace(m.Reason) == "" || m.Ours == nil {
				t.Fatalf("known-differences.json: %s: every mark names its file, its reason and what we leave instead (ours)", name)
			}
		}
	}
	return known
}

// applyKnownDifferences puts each marked file's descriptor from the mark in
// place of Packer's in expected, and returns Packer's descriptors by file.
func applyKnownDifferences(t *testing.T, expected map[string]any, marks []knownDifference) map[string]descriptor {
	files := expected["files"].(map[string]any)
	packers := map[string]descriptor{}
	for _, m := range marks {
		was, ok := files[m.File].(map[string]any)
		if !ok {
			t.Fatalf("known-differences.json marks %s, which Packer did not leave", m.File)
		}
		packers[m.File] = was
		files[m.File] = map[string]any(jsonShaped(m.Ours).(map[string]any))
	}
	return packers
}

// runGoldenCase runs one case as check.py does: a fresh run directory
// holding template.json and the contents of input/ (files 0644, or 0755
// when executable, whatever the checkout's modes), scratch HOME,
// PACKER_CONFIG_DIR and TMPDIR outside it, no PACKER_* or PKR_VAR_*
// variable from the caller, CHECKPOINT_DISABLE=1, the case's env, empty
// standard input and a 120 s timeout.
func runGoldenCase(t *testing.T, caseDir string, expected map[string]any) goldenResult {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rundir, home, tmp := filepath.Join(base, "run"), filepath.Join(base, "home"), filepath.Join(base, "tmp")
	for _, d := range []string{rundir, home, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(caseDir, "template.json")); err == nil {
		copyTree(t, filepath.Join(caseDir, "template.json"), filepath.Join(rundir, "template.json"))
	}
	if info, err := os.Stat(filepath.Join(caseDir, "input")); err == nil && info.IsDir() {
		copyTree(t, filepath.Join(caseDir, "input"), rundir)
	}
	normaliseModes(t, rundir)

	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PACKER_") || strings.HasPrefix(k, "PKR_VAR_") || k == "CHECKPOINT_DISABLE" || k == "PATH" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+home, "PACKER_CONFIG_DIR="+filepath.Join(home, ".packer.d"), "TMPDIR="+tmp,
		"CHECKPOINT_DISABLE=1", "PWD="+rundir,
		// The host's PATH, less any directory holding packer plugins,
		// which would otherwise be found.
		"PATH="+systemPath())
	env = append(env, readCaseEnv(t, caseDir)...)

	ctx, cancel := context.WithTimeout(context.Background(), goldenCaseTimout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins.dir, exe("packer")), readArgs(t, caseDir)...)
	cmd.Dir, cmd.Env, cmd.WaitDelay = rundir, env, 5*time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var code any = 0
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		code = "timeout"
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running packer: %v", err)
	}
	files, err := snapshot(rundir, expected["files"].(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	return goldenResult{exitCode: code, output: cleanOutput(out.Bytes()), rundir: rundir, files: files}
}

// copyTree copies src (a file or a directory) to dst, symlinks as symlinks.
func copyTree(t *testing.T, src, dst string) {
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// normaliseModes gives the copied inputs the modes they were recorded
// with: directories 0755, files 0755 when executable by anyone, else 0644.
func normaliseModes(t *testing.T, rundir string) {
	err := filepath.WalkDir(rundir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == rundir || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readArgs reads a case's args: one argument per line, the last newline
// not starting another.
func readArgs(t *testing.T, caseDir string) []string {
	data, err := os.ReadFile(filepath.Join(caseDir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	content := strings.TrimSuffix(string(data), "\n")
	if content == "" {
		return nil
	}
	return strings.Split(content, "\n")
}

// readCaseEnv reads a case's optional env file: KEY=VALUE lines, # for
// comments.
func readCaseEnv(t *testing.T, caseDir string) []string {
	data, err := os.ReadFile(filepath.Join(caseDir, "env"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line != "" && !strings.HasPrefix(line, "#") {
			env = append(env, line)
		}
	}
	return env
}
