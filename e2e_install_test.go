package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
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
	cat := t.TempDir()
	binary, err := os.ReadFile(testPlugin("packer-plugin-duo"))
	if err != nil {
		t.Fatal(err)
	}
	zipName := fmt.Sprintf("packer-plugin-duo_v0.3.0_%s_%s.zip", runtime.GOOS, runtime.GOARCH)
	f, _ := os.Create(filepath.Join(cat, zipName))
	zw := zip.NewWriter(f)
	w, _ := zw.Create(exe("packer-plugin-duo"))
	w.Write(binary)
	zw.Close()
	f.Close()
	data, _ := os.ReadFile(filepath.Join(cat, zipName))
	sum := sha256.Sum256(data)
	os.WriteFile(filepath.Join(cat, "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  "+zipName+"\n"), 0o644)

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
