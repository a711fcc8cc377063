package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// copyPluginAs copies a test plugin into dir under another file name,
// keeping it executable.
func (e *env) copyPluginAs(name, dir, file string) string {
	e.t.Helper()
	data, err := os.ReadFile(testPlugin(name))
	if err != nil {
		e.t.Fatal(err)
	}
	dst := filepath.Join(dir, file)
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return dst
}

// TestE2E_checksumSidecarsAreNeverPlugins plants working plugins under the
// names of checksum files (NAME_SHA256SUM), executable: packer neither lists
// nor runs them, as a command, a builder or a multi-component plugin.
func TestE2E_checksumSidecarsAreNeverPlugins(t *testing.T) {
	e := newEnv(t)
	e.copyPluginAs("packer-command-hello", e.pathDir, "packer-command-hello_SHA256SUM")
	e.copyPluginAs("packer-builder-probe", e.pathDir, "packer-builder-probe_SHA256SUM")
	e.copyPluginAs("packer-plugin-duo", e.pathDir, "packer-plugin-duo_SHA256SUM")

	r := e.run("plugins")
	if r.code != 0 {
		t.Fatal(r)
	}
	if strings.Contains(r.stdout, "_SHA256SUM") {
		t.Errorf("packer plugins lists a checksum file as a plugin\n%v", r)
	}
	r = e.run("hello_SHA256SUM", "x")
	if r.code != 1 || strings.Contains(r.stdout, "hello from a plugin") {
		t.Errorf("a checksum file ran as a command plugin\n%v", r)
	}
	mustContain(t, r, "stderr", `unknown command "hello_SHA256SUM"`)
	for _, typ := range []string{"probe_SHA256SUM", "duo_SHA256SUM"} {
		e.writeFile("t.json", `{"builders": [{"type": "`+typ+`", "output": "out.txt"}]}`)
		r = e.run("build", "t.json")
		if r.code != 1 || strings.Contains(r.stdout, "probe") {
			t.Errorf("a checksum file ran as builder %s\n%v", typ, r)
		}
		mustContain(t, r, "stderr", "checksum file")
	}
}

// TestE2E_aWorldWritablePluginOrDirectoryIsWarnedAbout: packer still runs a
// plugin any user could have replaced, but says so, naming the file or the
// directory that lets them; `packer plugins` says the same.
func TestE2E_aWorldWritablePluginOrDirectoryIsWarnedAbout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows permissions are ACLs, not mode bits")
	}
	e := newEnv(t)
	path := e.copyPlugin("packer-command-hello", e.pathDir)
	if r := e.run("hello", "x"); r.code != 0 || strings.Contains(r.stderr, "writable") {
		t.Fatalf("a plugin only its owner can write: want no warning\n%v", r)
	}

	if err := os.Chmod(path, 0o777); err != nil {
		t.Fatal(err)
	}
	r := e.run("hello", "x")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "hello from a plugin: x")
	mustContain(t, r, "stderr", "Warning: plugin "+path+" is world-writable")
	if n := strings.Count(r.stderr, "world-writable"); n != 1 {
		t.Errorf("want the warning once, got it %d times\n%v", n, r)
	}
	mustContain(t, e.run("plugins"), "stderr", "Warning: plugin "+path+" is world-writable")

	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.pathDir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(e.pathDir, 0o755) })
	r = e.run("hello", "x")
	mustContain(t, r, "stdout", "hello from a plugin: x")
	mustContain(t, r, "stderr", "Warning: plugin "+path+" is in the world-writable directory "+e.pathDir)
	mustContain(t, e.run("plugins"), "stderr", "world-writable directory "+e.pathDir)
}

// TestE2E_aTamperedInstalledPluginIsRefusedShowingBothDigests installs duo,
// changes the installed binary, and builds: packer refuses to run it and
// shows the digest recorded at install time and the one the file has now.
func TestE2E_aTamperedInstalledPluginIsRefusedShowingBothDigests(t *testing.T) {
	e := newEnv(t)
	cat := duoCatalog(t, t.TempDir(), "0.3.0")
	pluginDir := t.TempDir()
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+pluginDir)
	if r := e.run("plugins", "install", cat); r.code != 0 {
		t.Fatal(r)
	}
	binary := filepath.Join(pluginDir, "duo", "v0.3.0", exe("packer-plugin-duo"))
	recorded, err := os.ReadFile(filepath.Join(pluginDir, "duo", "v0.3.0", "packer-plugin-duo_SHA256SUM"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(binary, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("tampered")
	f.Close()
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	actual := hex.EncodeToString(sum[:])

	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	r := e.run("build", "t.json")
	if r.code != 1 {
		t.Fatalf("a tampered plugin: want exit 1\n%v", r)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "duo.txt")); err == nil {
		t.Error("the tampered plugin ran")
	}
	mustContain(t, r, "stderr", binary)
	mustContain(t, r, "stderr", "expected sha256 "+strings.TrimSpace(string(recorded)))
	mustContain(t, r, "stderr", "actual sha256 "+actual)
}
