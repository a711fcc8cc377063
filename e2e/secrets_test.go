package e2e

// End-to-end tests of what packer must never show or write: sensitive
// values in any form, anywhere a user or another user on the machine can
// read them (docs/security.md, "Secrets").

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// sensitiveTemplate declares the sensitive variables "secret" and "multi",
// and runs provisioners (JSON) that use them.
func sensitiveTemplate(builder, provisioners string) string {
	return `{"variables": {"secret": "", "multi": ""}, "sensitive-variables": ["secret", "multi"],
		"builders": [` + builder + `], "provisioners": [` + provisioners + `]}`
}

// leaked returns the pieces of a secret that appear in any of outputs.
func leaked(pieces []string, outputs ...string) []string {
	var found []string
	for _, p := range pieces {
		for _, out := range outputs {
			if strings.Contains(out, p) {
				found = append(found, p)
				break
			}
		}
	}
	return found
}

func TestE2E_theLogFileIsCreatedReadableByItsOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	e := newEnv(t)
	logFile := filepath.Join(e.dir, "packer.log")
	e.extra = append(e.extra, "PACKER_LOG_PATH="+logFile)
	if r := e.run("version"); r.code != 0 {
		t.Fatal(r)
	}
	info, err := os.Stat(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the log file was created with mode %v, want -rw------- (it can hold what plugins print)", perm)
	}
}

func TestE2E_aSensitiveVarIsNeverInTheLog(t *testing.T) {
	e := newEnv(t)
	logFile := filepath.Join(e.dir, "packer.log")
	e.extra = append(e.extra, "PACKER_LOG_PATH="+logFile)
	tpl := e.writeFile("t.json", sensitiveTemplate(`{"type": "null"}`, `{"type": "shell-local", "inline": ["true"]}`))
	r := e.run("validate", "-var", "secret=Hunter2-in-argv", "-var=region=eu-west-1", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if strings.Contains(log, "Hunter2-in-argv") {
		t.Errorf("the sensitive -var value is in the log:\n%s", log)
	}
	// What is not sensitive is still logged, once the template says so.
	for _, want := range []string{`"-var" "secret=<`, `secret="<sensitive>"`, `region="eu-west-1"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not show %s:\n%s", want, log)
		}
	}
}

func TestE2E_aMultiLineSensitiveValueIsMaskedLineByLine(t *testing.T) {
	e := newEnv(t)
	vars := e.writeFile("vars.json", `{"multi": "first-line-AAA\nsecond-line-BBB"}`)
	tpl := e.writeFile("t.json", sensitiveTemplate(`{"type": "null"}`,
		`{"type": "shell-local", "environment_vars": ["MULTI={{user `+"`multi`"+`}}"], "inline": ["echo \"$MULTI\"", "echo \"$MULTI\" >&2"]}`))
	e.extra = append(e.extra, "PACKER_LOG=1")
	for _, args := range [][]string{{"build", "-var-file", vars, tpl}, {"build", "-machine-readable", "-var-file", vars, tpl}} {
		r := e.run(args...)
		if r.code != 0 {
			t.Fatal(r)
		}
		if found := leaked([]string{"AAA", "BBB"}, r.stdout, r.stderr); len(found) > 0 {
			t.Errorf("packer %s showed lines of a sensitive value (%q):\n%v", strings.Join(args, " "), found, r)
		}
		if !strings.Contains(r.stdout, "<sensitive>") {
			t.Errorf("packer %s: want the lines shown as <sensitive>:\n%v", strings.Join(args, " "), r)
		}
	}
}

func TestE2E_aSensitiveValueWithAQuoteIsMaskedInTheShellProvisionersErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	e := newEnv(t)
	// The local communicator's directory does not exist: the command
	// cannot start, and the error quotes it.
	tpl := e.writeFile("t.json", sensitiveTemplate(`{"type": "null", "communicator": "local", "local_dir": "/nonexistent/dir"}`,
		`{"type": "shell", "remote_folder": `+jsonString(t.TempDir())+`, "environment_vars": ["SECRET={{user `+"`secret`"+`}}"], "inline": ["true"]}`))
	e.extra = append(e.extra, "PACKER_LOG=1")
	for _, args := range [][]string{{"build", "-var", "secret=S3cr3t'x", tpl}, {"build", "-machine-readable", "-var", "secret=S3cr3t'x", tpl}} {
		r := e.run(args...)
		if r.code != 1 {
			t.Fatalf("want exit 1 (the command cannot start)\n%v", r)
		}
		if found := leaked([]string{"S3cr3t"}, r.stdout, r.stderr); len(found) > 0 {
			t.Errorf("packer %s showed the sensitive value:\n%v", strings.Join(args, " "), r)
		}
	}
}

func TestE2E_validateAndInspectMaskSensitiveValuesInTheirErrorsAndText(t *testing.T) {
	e := newEnv(t)
	e.extra = append(e.extra, "PACKER_LOG=1")
	tpl := e.writeFile("t.json", `{"description": "deploys with key Default-K3y", "variables": {"key": "Default-K3y"}, "sensitive-variables": ["key"],
		"builders": [{"type": "null", "name": "vm-{{user `+"`key`"+`}}"}]}`)
	// -only names no build: the core cannot be made, and the error lists
	// the build names, which use the sensitive value.
	r := e.run("validate", "-only", "nosuch", tpl)
	if r.code != 1 || !strings.Contains(r.stderr, "vm-<sensitive>") {
		t.Errorf("want exit 1 and the build names masked\n%v", r)
	}
	if found := leaked([]string{"Default-K3y"}, r.stdout, r.stderr); len(found) > 0 {
		t.Errorf("validate showed the sensitive value:\n%v", r)
	}
	r = e.run("build", "-only", "nosuch", "-var", "key=Given-K3y", tpl)
	if found := leaked([]string{"Given-K3y"}, r.stdout, r.stderr); r.code != 1 || len(found) > 0 {
		t.Errorf("want exit 1 and the given value masked:\n%v", r)
	}
	r = e.run("inspect", tpl)
	if r.code != 0 || !strings.Contains(r.stdout, "deploys with key <sensitive>") {
		t.Errorf("want the description masked\n%v", r)
	}
	if found := leaked([]string{"Default-K3y"}, r.stdout, r.stderr); len(found) > 0 {
		t.Errorf("inspect showed the sensitive value:\n%v", r)
	}
}
