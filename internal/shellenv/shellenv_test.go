package shellenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestContent_sourcedByShExportsEveryVariableWhateverTheFormat(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	vars := []string{"PLAIN=it's \"quoted\" $HOME `x`", "MULTI=line one\nline two", "EMPTY="}
	for _, format := range []string{"%s='%s' ", "export %s='%s'\n"} {
		dir := t.TempDir()
		file := filepath.Join(dir, "vars dir", "env.sh")
		os.MkdirAll(filepath.Dir(file), 0o755)
		if err := os.WriteFile(file, Content(format, vars), FileMode); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("/bin/sh", "-c", Source(file)+` sh -c 'printf "%s|%s|%s" "$PLAIN" "$MULTI" "${EMPTY-unset}"'`).CombinedOutput()
		if err != nil {
			t.Fatalf("format %q: %v\n%s", format, err, out)
		}
		if want := "it's \"quoted\" $HOME `x`|line one\nline two|"; string(out) != want {
			t.Errorf("format %q: the script saw %q, want %q", format, out, want)
		}
	}
}

func TestQuote_leavesSafeWordsAloneAndQuotesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/script_ABC2.sh": "/tmp/script_ABC2.sh",
		"./x-y.sh":            "./x-y.sh",
		"/tmp/a b":            "'/tmp/a b'",
		"it's":                `'it'"'"'s'`,
		"":                    "''",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
