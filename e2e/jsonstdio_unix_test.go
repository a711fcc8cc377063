//go:build unix

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_jsonStdioPostProcessorsInPythonAndShell runs the json-stdio
// examples (Python and shell) from PATH, as examples/plugins/README.md says.
func TestE2E_jsonStdioPostProcessorsInPythonAndShell(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 here for the Python example")
	}
	e := newEnv(t)
	examples, _ := filepath.Abs(filepath.Join("..", "examples", "plugins", "json-stdio"))
	for _, name := range []string{"packer-post-processor-wordcount", "packer-post-processor-keeprequest"} {
		for _, f := range []string{name, name + ".plugin.json"} {
			data, err := os.ReadFile(filepath.Join(examples, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(e.pathDir, f), data, 0o755)
		}
	}
	template, _ := os.ReadFile(filepath.Join(examples, "template.json"))
	e.writeFile("template.json", string(template))
	e.extra = append(e.extra, "PATH="+e.pathDir+string(os.PathListSeparator)+systemPath(), "PACKER_LOG=1")
	r := e.run("build", "template.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	counts, err := os.ReadFile(filepath.Join(e.dir, "counts", "wordcount.txt"))
	if err != nil || string(counts) != "5 words.txt\n" {
		t.Errorf("wordcount.txt = %q, %v", counts, err)
	}
	var request map[string]any
	data, _ := os.ReadFile(filepath.Join(e.dir, "request.json"))
	if err := json.Unmarshal(data, &request); err != nil || request["kind"] != "post-processor" || request["protocol_version"] != float64(1) {
		t.Errorf("request.json = %s (%v)", data, err)
	}
	mustContain(t, r, "stdout", "Counted the words of 1 file(s)")
	mustContain(t, r, "stderr", "packer-post-processor-wordcount: counted 1 file(s)")
}

// TestE2E_aJSONStdioPluginCannotWriteOutsideItsOutputDirectory uses a
// hostile script that asks for ../escaped.
func TestE2E_aJSONStdioPluginCannotWriteOutsideItsOutputDirectory(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.pathDir, "packer-post-processor-evil"), []byte("#!/bin/sh\ncat >/dev/null\necho '{\"files\": [{\"path\": \"../escaped\", \"content\": \"x\"}]}'\n"), 0o755)
	os.WriteFile(filepath.Join(e.pathDir, "packer-post-processor-evil.plugin.json"), []byte(`{"protocol": "json-stdio"}`), 0o644)
	os.MkdirAll(filepath.Join(e.dir, "work"), 0o755)
	e.writeFile("work/t.json", `{"builders": [{"type": "null"}], "post-processors": [{"type": "evil"}]}`)
	cmd := e.command("build", "t.json")
	cmd.Dir = filepath.Join(e.dir, "work")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), `asked to write "../escaped", which is not inside the output directory`) {
		t.Errorf("output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "escaped")); err == nil {
		t.Error("the plugin wrote outside its output directory")
	}
}

// TestE2E_aMultiComponentJSONStdioPluginDeclaredByDescribe: a script named
// packer-plugin-NAME whose describe declares json-stdio serves its
// components once per call, told which one in the request.
func TestE2E_aMultiComponentJSONStdioPluginDeclaredByDescribe(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.pathDir, "packer-plugin-tools"), []byte(`#!/bin/sh
if [ "$1" = describe ]; then
  echo '{"version": "1.0.0", "protocol": "json-stdio", "post_processors": ["-", "note"]}'
  exit 0
fi
req=$(cat)
case "$req" in
  *'"component":"note"'*) echo '{"files": [{"path": "note.txt", "content": "from note"}]}' ;;
  *) echo '{"files": [{"path": "default.txt", "content": "from the default"}]}' ;;
esac
`), 0o755)
	e.writeFile("t.json", `{"builders": [{"type": "null"}], "post-processors": [["tools", "tools-note"]]}`)
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	for file, want := range map[string]string{"default.txt": "from the default", "note.txt": "from note"} {
		if got, _ := os.ReadFile(filepath.Join(e.dir, file)); string(got) != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
}

// jsonStdioPlugin puts a json-stdio post-processor script named
// packer-post-processor-NAME on the test's PATH.
func (e *env) jsonStdioPlugin(name, body string) {
	e.t.Helper()
	path := filepath.Join(e.pathDir, "packer-post-processor-"+name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path+".plugin.json", []byte(`{"protocol": "json-stdio"}`), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// TestE2E_aJSONStdioStderrLineOver64KiBIsLoggedNotAHang: a line longer than
// any buffer reaches the log in pieces, and the call goes on.
func TestE2E_aJSONStdioStderrLineOver64KiBIsLoggedNotAHang(t *testing.T) {
	e := newEnv(t)
	e.jsonStdioPlugin("longline", `cat >/dev/null
head -c 200000 /dev/zero | tr '\0' e >&2
echo ' end of the long line' >&2
echo '{"message": "answered after a long stderr line"}'
`)
	e.writeFile("t.json", `{"builders": [{"type": "null"}], "post-processors": [{"type": "longline"}]}`)
	e.extra = append(e.extra, "PACKER_LOG=1")
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "answered after a long stderr line")
	mustContain(t, r, "stderr", "packer-post-processor-longline: "+strings.Repeat("e", 1000))
	mustContain(t, r, "stderr", "end of the long line")
}

// TestE2E_aJSONStdioResponseOverTheLimitIsRefusedNotBuffered: stdout is read
// up to the response limit; more is an error naming the plugin.
func TestE2E_aJSONStdioResponseOverTheLimitIsRefusedNotBuffered(t *testing.T) {
	e := newEnv(t)
	e.jsonStdioPlugin("flood", "cat >/dev/null\nexec head -c 67108864 /dev/zero\n")
	e.writeFile("t.json", `{"builders": [{"type": "null"}], "post-processors": [{"type": "flood"}]}`)
	r := e.run("build", "t.json")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%v", r)
	}
	mustContain(t, r, "stderr", "packer-post-processor-flood")
	mustContain(t, r, "stderr", "printed more than 16 MiB")
}

// TestE2E_aJSONStdioResponseIsCheckedWholeBeforeAnyFileIsWritten: a bad
// path anywhere in the response means no file of it is written.
func TestE2E_aJSONStdioResponseIsCheckedWholeBeforeAnyFileIsWritten(t *testing.T) {
	e := newEnv(t)
	e.jsonStdioPlugin("late", `cat >/dev/null
echo '{"files": [{"path": "ok.txt", "content": "x"}, {"path": "../late-bad", "content": "y"}]}'
`)
	os.MkdirAll(filepath.Join(e.dir, "work"), 0o755)
	e.writeFile("work/t.json", `{"builders": [{"type": "null"}], "post-processors": [{"type": "late"}]}`)
	cmd := e.command("build", "t.json")
	cmd.Dir = filepath.Join(e.dir, "work")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the build succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), `"../late-bad"`) {
		t.Errorf("the error does not name the bad path:\n%s", out)
	}
	for _, f := range []string{filepath.Join(e.dir, "work", "ok.txt"), filepath.Join(e.dir, "late-bad")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was written from a response that was refused", f)
		}
	}
}
