package e2e

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestE2E_installAPluginFromACatalogAndBuildWithIt makes a catalog of the
// test plugin packer-plugin-duo, installs it with packer plugins install,
// and builds a template that uses it.
func TestE2E_installAPluginFromACatalogAndBuildWithIt(t *testing.T) {
	e := newEnv(t)
	cat := duoCatalog(t, t.TempDir(), "0.3.0")

	pluginDir := t.TempDir()
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+pluginDir)
	r := e.run("plugins", "install", cat, "~> 0.3")
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "Installed duo 0.3.0")
	r = e.run("plugins", "installed")
	mustContain(t, r, "stdout", "duo 0.3.0")
	mustContain(t, r, "stdout", "(ok)")

	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	if r = e.run("build", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	if got, _ := os.ReadFile(filepath.Join(e.dir, "duo.txt")); !strings.HasPrefix(string(got), "built by pid") {
		t.Errorf("duo.txt = %q", got)
	}
	r = e.run("plugins", "remove", "duo")
	mustContain(t, r, "stdout", "Removed duo 0.3.0")
}

// duoCatalog adds the test plugin packer-plugin-duo to the catalog dir as
// the given versions (the same binary under each), and rewrites SHA256SUMS.
func duoCatalog(t *testing.T, cat string, versions ...string) string {
	t.Helper()
	for _, v := range versions {
		// Each version is built with its own version stamped, so its
		// describe agrees with the directory it is installed in.
		built := filepath.Join(t.TempDir(), exe("packer-plugin-duo"))
		out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+v, "-o", built, "./testdata/plugins/packer-plugin-duo").CombinedOutput()
		if err != nil {
			t.Fatalf("building duo %s: %v\n%s", v, err, out)
		}
		binary, err := os.ReadFile(built)
		if err != nil {
			t.Fatal(err)
		}
		zipName := fmt.Sprintf("packer-plugin-duo_v%s_%s_%s.zip", v, runtime.GOOS, runtime.GOARCH)
		f, _ := os.Create(filepath.Join(cat, zipName))
		zw := zip.NewWriter(f)
		w, _ := zw.Create(exe("packer-plugin-duo"))
		w.Write(binary)
		zw.Close()
		f.Close()
	}
	entries, _ := os.ReadDir(cat)
	var sums strings.Builder
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".zip") {
			data, _ := os.ReadFile(filepath.Join(cat, e.Name()))
			sum := sha256.Sum256(data)
			sums.WriteString(hex.EncodeToString(sum[:]) + "  " + e.Name() + "\n")
		}
	}
	os.WriteFile(filepath.Join(cat, "SHA256SUMS"), []byte(sums.String()), 0o644)
	return cat
}

// TestE2E_requiredPluginsInitAndTheLockFile: build stops before anything
// runs when a required plugin is missing and names the fix; init installs
// and locks; a second machine with the lock file gets the same version even
// when the catalog has a newer one; init -upgrade moves the lock.
func TestE2E_requiredPluginsInitAndTheLockFile(t *testing.T) {
	e := newEnv(t)
	cat := duoCatalog(t, t.TempDir(), "0.3.0", "0.4.0")
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+t.TempDir())
	tpl := e.writeFile("t.json", `{
		"required_plugins": {"duo": {"version": ">= 0.3", "source": "`+filepath.ToSlash(cat)+`"}},
		"builders": [{"type": "duo", "output": "duo.txt"}]
	}`)

	r := e.run("build", "t.json")
	if r.code == 0 {
		t.Fatal("build ran with a required plugin missing")
	}
	mustContain(t, r, "stderr", "run: packer init t.json")
	if _, err := os.Stat(filepath.Join(e.dir, "duo.txt")); err == nil {
		t.Error("the build ran although a required plugin was missing")
	}

	if r = e.run("init", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "duo 0.4.0")
	lock, err := os.ReadFile(filepath.Join(e.dir, ".packer.lock.json"))
	if err != nil || !strings.Contains(string(lock), `"version": "0.4.0"`) {
		t.Fatalf("lock file = %s, %v", lock, err)
	}
	if r = e.run("build", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	if r = e.run("plugins", "required", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "installed 0.4.0")

	// A second machine: an empty plugin directory, the same lock file, and
	// a catalog that has since published 0.5.0.
	duoCatalog(t, cat, "0.5.0")
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+t.TempDir())
	if r = e.run("init", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "duo 0.4.0")
	if r = e.run("init", "-upgrade", "t.json"); r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "duo 0.5.0")
	if lock, _ := os.ReadFile(tpl[:len(tpl)-len("t.json")] + ".packer.lock.json"); !strings.Contains(string(lock), `"version": "0.5.0"`) {
		t.Errorf("lock after -upgrade = %s", lock)
	}
}

// TestE2E_anInstalledBinaryWhoseDescribeDisagreesIsRefused installs the
// 0.3.0 duo binary under the name of 0.9.0: the core refuses to run it.
func TestE2E_anInstalledBinaryWhoseDescribeDisagreesIsRefused(t *testing.T) {
	e := newEnv(t)
	cat := t.TempDir()
	binary, err := os.ReadFile(testPlugin("packer-plugin-duo"))
	if err != nil {
		t.Fatal(err)
	}
	zipName := fmt.Sprintf("packer-plugin-duo_v0.9.0_%s_%s.zip", runtime.GOOS, runtime.GOARCH)
	f, _ := os.Create(filepath.Join(cat, zipName))
	zw := zip.NewWriter(f)
	w, _ := zw.Create(exe("packer-plugin-duo"))
	w.Write(binary)
	zw.Close()
	f.Close()
	data, _ := os.ReadFile(filepath.Join(cat, zipName))
	sum := sha256.Sum256(data)
	os.WriteFile(filepath.Join(cat, "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  "+zipName+"\n"), 0o644)
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+t.TempDir())
	if r := e.run("plugins", "install", cat); r.code != 0 {
		t.Fatal(r)
	}
	e.writeFile("t.json", `{"builders": [{"type": "duo", "output": "duo.txt"}]}`)
	r := e.run("build", "t.json")
	if r.code == 0 {
		t.Fatal("a binary whose describe disagrees with its version ran")
	}
	mustContain(t, r, "stderr", "is installed as version 0.9.0 but describes itself as 0.3.0")
}
