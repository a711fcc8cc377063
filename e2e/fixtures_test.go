package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fixturesDir finds Packer's own template fixtures: shared/packer-fixtures,
// the sibling of the repository root. Tests that use them skip, saying so,
// in a clone without it (CI always has it).
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	fixtures := filepath.Join(filepath.Dir(dir), "shared", "packer-fixtures", "v1.9.5", "command", "test-fixtures")
	if _, err := os.Stat(fixtures); err != nil {
		t.Skipf("Packer's template fixtures are not here (%s): this clone has no ../shared; CI has it", fixtures)
	}
	return fixtures
}

// filesIn lists the names of the files in dir, sorted.
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
	slices.Sort(names)
	return names
}

// TestE2E_packerFixtures runs Packer's own fixture templates and checks the
// exit code and the files each run leaves, as the real Packer v1.16.0 did
// (shared/packer-fixtures/README.md).
func TestE2E_packerFixtures(t *testing.T) {
	fixtures := fixturesDir(t)
	if runtime.GOOS == "windows" {
		t.Skip("the fixtures' shell-local commands are POSIX shell")
	}
	cases := []struct {
		name  string
		args  []string
		code  int
		files string
	}{
		{"only", []string{"-parallel-builds=1", "-only=chocolate,vanilla", "build-only/template.json"}, 0,
			"apple.txt banana.txt chocolate.txt peach.txt pear.txt tomato.txt unnamed.txt vanilla.txt"},
		{"except", []string{"-parallel-builds=1", "-except=chocolate,vanilla,tomato", "build-only/template.json"}, 0,
			"apple.txt banana.txt cherry.txt peach.txt pear.txt"},
		{"everything", []string{"-parallel-builds=1", "build-only/template.json"}, 0,
			"apple.txt banana.txt cherry.txt chocolate.txt peach.txt pear.txt tomato.txt unnamed.txt vanilla.txt"},
		{"unknown builder type beside a good build", []string{"build-only/not-found.json"}, 1,
			"chocolate.txt unnamed.txt"},
		{"var-file", []string{"-var-file=var-arg/apple.json", "var-arg/fruit_builder.json"}, 0, "apple.txt"},
		{"var", []string{"-var", "fruit=pear", "var-arg/fruit_builder.json"}, 0, "pear.txt"},
		{"build variables shared", []string{"build-variable-sharing/template.json"}, 0,
			"post-processor.Null.txt provisioner.Null.txt"},
		{"build name and type in the manifest", []string{"-only=potato", "build-name-and-type/all.json"}, 0, "manifest.json"},
		{"error-cleanup-provisioner after a failed provisioner", []string{"cleanup-script/template.json"}, 1, "ducky.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			args := slices.Clone(c.args)
			last := len(args) - 1
			args[last] = filepath.Join(fixtures, args[last])
			for i, a := range args {
				if v, ok := strings.CutPrefix(a, "-var-file="); ok {
					args[i] = "-var-file=" + filepath.Join(fixtures, v)
				}
			}
			r := e.run(append([]string{"build"}, args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%v", r.code, c.code, r)
			}
			if got := strings.Join(filesIn(t, e.dir), " "); got != c.files {
				t.Errorf("files created: %s\nwant: %s\n%v", got, c.files, r)
			}
		})
	}
}

func TestE2E_manifestNamesBuildAndType(t *testing.T) {
	fixtures := fixturesDir(t)
	e := newEnv(t)
	r := e.run("build", "-only=potato", filepath.Join(fixtures, "build-name-and-type", "all.json"))
	if r.code != 0 {
		t.Fatal(r)
	}
	data, err := os.ReadFile(filepath.Join(e.dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Builds []struct {
			Name        string `json:"name"`
			BuilderType string `json:"builder_type"`
			Files       []any  `json:"files"`
			ArtifactID  string `json:"artifact_id"`
		} `json:"builds"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatalf("manifest.json: %v\n%s", err, data)
	}
	if len(manifest.Builds) != 1 {
		t.Fatalf("want one build in the manifest, got:\n%s", data)
	}
	b := manifest.Builds[0]
	if b.Name != "potato" || b.BuilderType != "null" || b.Files != nil || b.ArtifactID != "Null" {
		t.Errorf("manifest build = %+v, want potato / null / no files / Null\n%s", b, data)
	}
}

// TestE2E_validateFixtures runs validate on Packer's validate fixtures.
func TestE2E_validateFixtures(t *testing.T) {
	fixtures := fixturesDir(t)
	cases := []struct {
		args []string
		code int
		want string // in the output of a failing run
	}{
		{[]string{"validate/build.json"}, 0, ""},
		{[]string{"-syntax-only", "validate/build.json"}, 0, ""},
		{[]string{"validate/template.json"}, 1, "min_packer_version"},
		{[]string{"validate/null_var.json"}, 1, "null_var"},
		{[]string{"validate-invalid/bad_provisioner.json"}, 1, "comment"},
		{[]string{"-syntax-only", "validate-invalid/bad_provisioner.json"}, 0, ""},
		{[]string{"validate-invalid/broken.json"}, 1, "provisioners"},
		{[]string{"-syntax-only", "validate-invalid/broken.json"}, 1, "provisioners"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			e := newEnv(t)
			args := slices.Clone(c.args)
			args[len(args)-1] = filepath.Join(fixtures, args[len(args)-1])
			r := e.run(append([]string{"validate"}, args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%v", r.code, c.code, r)
			}
			if c.want != "" {
				mustContain(t, r, "stderr", c.want)
			}
			if files := filesIn(t, e.dir); len(files) != 0 {
				t.Errorf("validate created files: %q", files)
			}
		})
	}
}
