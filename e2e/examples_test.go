package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/internal/testdeps"
)

// TestE2E_examplePluginsBuildAndRun does what examples/plugins/README.md
// tells a plugin author to do: build the two example plugins (each its own
// module), point the config file at them by absolute path, and run the
// example template with them.
func TestE2E_examplePluginsBuildAndRun(t *testing.T) {
	e := newEnv(t)
	if runtime.GOOS == "windows" {
		t.Skip("the example template runs sh")
	}
	binDir := t.TempDir()
	paths := map[string]string{}
	for _, name := range []string{"packer-builder-hello", "packer-post-processor-upper"} {
		out := filepath.Join(binDir, exe(name))
		build := exec.Command("go", "build", "-o", out, ".")
		build.Dir = filepath.Join("..", "examples", "plugins", name)
		if output, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", name, err, output)
		}
		paths[name] = out
	}
	config, _ := json.Marshal(map[string]any{
		"builders":        map[string]string{"hello": paths["packer-builder-hello"]},
		"post-processors": map[string]string{"upper": paths["packer-post-processor-upper"]},
	})
	e.extra = append(e.extra, "PACKER_CONFIG="+e.writeFile("packerconfig.json", string(config)))
	template, err := os.ReadFile(filepath.Join("..", "examples", "plugins", "template.json"))
	if err != nil {
		t.Fatal(err)
	}
	e.writeFile("template.json", string(template))

	r := e.run("build", "template.json")
	if r.code != 0 {
		t.Fatalf("packer build: %s", r)
	}
	upper, err := os.ReadFile(filepath.Join(e.dir, "greeting.txt.upper"))
	if err != nil {
		t.Fatalf("the post-processor wrote nothing: %v\n%s", err, r)
	}
	// The shell's pwd may print the directory with symlinks resolved.
	resolved, _ := filepath.EvalSymlinks(e.dir)
	var matched bool
	for _, dir := range []string{e.dir, resolved} {
		matched = matched || string(upper) == "HELLO FROM A THIRD-PARTY PLUGIN\nPROVISIONED IN "+strings.ToUpper(dir)+"\n"
	}
	if !matched {
		t.Errorf("greeting.txt.upper = %q, want the greeting and the provisioner's line, upper-cased", upper)
	}
	mustContain(t, r, "stdout", "hello: Writing \"hello from a third-party plugin\" to greeting.txt")
}

// TestE2E_rootfsExampleBuildsAVerifiableArchive runs examples/rootfs.json
// through the real binary: a rootfs from a directory, filled by a file and
// a shell provisioner (which runs isolated in the tree), then compress,
// checksum and manifest.
func TestE2E_rootfsExampleBuildsAVerifiableArchive(t *testing.T) {
	e := newEnv(t)
	skipWithoutTreeIsolation(t)
	busybox := testdeps.Need(t, "busybox")[0]
	example, err := filepath.Abs(filepath.Join("..", "examples", "rootfs.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := e.run("build", "-force", "-var", "busybox="+busybox, example)
	if r.code != 0 {
		t.Fatalf("packer build: %s", r)
	}
	out := filepath.Join(e.dir, "output-demo-rootfs")
	archive, err := os.ReadFile(filepath.Join(out, "demo.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(out, "demo.tar.gz.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x\tdemo.tar.gz\n", sha256.Sum256(archive)); string(sum) != want {
		t.Errorf("checksum file = %q, want %q", sum, want)
	}
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		names[hdr.Name] = true
	}
	for _, want := range []string{"etc/motd", "etc/hostname", "usr/bin/hello", "bin/busybox", "bin/sh", "root/.profile"} {
		if !names[want] {
			t.Errorf("the archive lacks %s (has %v)", want, names)
		}
	}
	if names["etc/resolv.conf"] {
		t.Error("the archive holds etc/resolv.conf: the placeholder this machine's was bound onto was left in the tree")
	}
	manifest, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !strings.Contains(string(manifest), `"builder_type": "rootfs"`) {
		t.Errorf("manifest = %s", manifest)
	}
}

// TestE2E_examplePluginsPassTheirOwnTests runs each example plugin's own
// tests, in its own module, as its author would: they run the framework's
// conformance kits on the example's component.
func TestE2E_examplePluginsPassTheirOwnTests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in each example module")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the kits run sh")
	}
	for _, name := range []string{"packer-builder-hello", "packer-post-processor-upper"} {
		t.Run(name, func(t *testing.T) {
			test := exec.Command("go", "test", "-count=1", "./...")
			test.Dir = filepath.Join("..", "examples", "plugins", name)
			if out, err := test.CombinedOutput(); err != nil {
				t.Fatalf("go test in examples/plugins/%s: %v\n%s", name, err, out)
			}
		})
	}
}
