package testdeps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var sdkFixtures sync.Map // variant -> *fixtureBuild

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
	v, _ := sdkFixtures.LoadOrStore(variant, &fixtureBuild{})
	b := v.(*fixtureBuild)
	b.once.Do(func() {
		script, err := repoFile("testdata/sdkplugin/build.sh")
		if err != nil {
			b.err = err.Error()
			return
		}
		args := []string{script}
		if variant != "" {
			args = append(args, variant)
		}
		cmd := exec.Command("bash", args...)
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
		t.Fatalf("building the SDK fixture plugin (testdata/sdkplugin/build.sh %s) failed: %s", variant, b.err)
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
