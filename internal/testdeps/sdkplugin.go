package testdeps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var sdkFixtures sync.Map // what is built -> *fixtureBuild

type fixtureBuild struct {
	once sync.Once
	path string
	err  string
}

// SDKFixture returns the path of the packer-plugin-sdk fixture plugin
// (testdata/sdkplugin), built by its build.sh on first use and cached under
// .cache/sdkplugin/ by a hash of its sources; variant "" is the fixture
// with the SDK its go.mod asks for, another names one of its variants/
// (an older SDK). The build needs the Go module proxy the first time; a
// test fails (not skips) when it cannot build, since every developer and
// CI machine can.
func SDKFixture(t testing.TB, variant string) string {
	t.Helper()
	args := []string{"testdata/sdkplugin/build.sh"}
	if variant != "" {
		args = append(args, variant)
	}
	return builtOnce(t, "fixture "+variant, args)
}

// SDKQemuPlugin returns the path of HashiCorp's packer-plugin-qemu v1.1.7,
// built by testdata/qemuplugin/build.sh from the Go module proxy on first
// use (about ten minutes) and cached under .cache/qemuplugin/.
func SDKQemuPlugin(t testing.TB) string {
	t.Helper()
	return builtOnce(t, "qemu", []string{"testdata/qemuplugin/build.sh"})
}

// builtOnce runs a build script of the repository (args[0], relative to
// its root) once per test binary and returns the last line it printed.
func builtOnce(t testing.TB, key string, args []string) string {
	t.Helper()
	v, _ := sdkFixtures.LoadOrStore(key, &fixtureBuild{})
	b := v.(*fixtureBuild)
	b.once.Do(func() {
		script, err := repoFile(args[0])
		if err != nil {
			b.err = err.Error()
			return
		}
		cmd := exec.Command("bash", append([]string{script}, args[1:]...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.err = err.Error() + "\n" + stderr.String()
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		b.path = lines[len(lines)-1]
	})
	if b.err != "" {
		t.Fatalf("%s failed: %s", strings.Join(args, " "), b.err)
	}
	return b.path
}

// repoFile finds rel in the repository, looking up from the working
// directory (a test runs in its package's).
func repoFile(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
