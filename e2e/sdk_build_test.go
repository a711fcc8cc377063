//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/testdeps"
)

// The end-to-end tests of packer-plugin-sdk plugins: the fixture plugin of
// testdata/sdkplugin (SDK v0.6.10, and v0.5.4 where said), run unchanged
// by the packer binary, mixed with built-in components both ways.

// sdkEnv is a test environment whose plugin directory holds the SDK fixture
// plugin as packer-plugin-fixture, and whose TMPDIR is a directory of its
// own, to find what plugins leave there.
type sdkEnv struct {
	*env
	plugins, tmp string
}

func newSDKEnv(t *testing.T, variant string) *sdkEnv {
	t.Helper()
	e := newEnv(t)
	fixture := testdeps.SDKFixture(t, variant)
	// A short TMPDIR: the sockets in it must fit in a socket's path.
	tmp, err := os.MkdirTemp("/tmp", "sdk-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	s := &sdkEnv{env: e, plugins: filepath.Join(e.home, "plugins"), tmp: tmp}
	if err := os.MkdirAll(s.plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.plugins, "packer-plugin-fixture"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+s.plugins, "TMPDIR="+s.tmp)
	return s
}

// assertClean fails for any process still running the fixture, and for
// anything plugins left in TMPDIR (their private socket directories) once
// their guardians, which remove them after a core killed with SIGKILL,
// have had 10 s.
func (s *sdkEnv) assertClean() {
	s.t.Helper()
	waitNoProcessesFrom(s.t, s.plugins)
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, _ := os.ReadDir(s.tmp)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, e := range left {
				s.t.Errorf("left behind in TMPDIR: %s", e.Name())
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sdkTemplate is the fixture's builder with its provisioner and
// post-processor, and packer's built-in shell provisioner and checksum
// post-processor through the fixture's communicator.
const sdkTemplate = `{
  "variables": {"who": "world"},
  "builders": [{"type": "fixture-local", "message": "hello {{user ` + "`who`" + `}} {{build_name}}", "output_dir": "out"}],
  "provisioners": [
    {"type": "fixture-probe", "text": "generated {{build ` + "`ID`" + `}} {{build ` + "`FixtureVar`" + `}}", "dir": "machine", "exchange": true},
    {"type": "shell", "inline": ["echo built-in shell via the SDK communicator: {{build ` + "`ID`" + `}} {{build ` + "`FixtureVar`" + `}}"]}
  ],
  "post-processors": [[
    {"type": "fixture-probe", "output": "pp.txt"},
    {"type": "checksum", "output": "sums.txt"}
  ]]
}`

func TestE2E_sdkPluginBuildsMixedWithBuiltins(t *testing.T) {
	for _, variant := range []string{"", "sdk-v0.5.4"} {
		t.Run("sdk"+strings.TrimPrefix(variant, "sdk-"), func(t *testing.T) {
			s := newSDKEnv(t, variant)
			if err := os.Mkdir(filepath.Join(s.dir, "machine"), 0o755); err != nil {
				t.Fatal(err)
			}
			s.writeFile("t.json", sdkTemplate)
			r := s.run("build", "t.json")
			if r.code != 0 {
				t.Fatalf("build failed:\n%v", r)
			}
			for _, want := range []string{
				"fixture builder: hello world fixture-local", // rendered by the plugin itself
				"probe: generated fixture-1 fv",              // {{build}} with the generated variable
				`probe: exit=3 stdout="from-stdin\nuploaded\n" stderr="to-stderr\n"`,
				`probe: downloaded "uploaded\n"`,
				`probe: round trip "a"`,
				"built-in shell via the SDK communicator: fixture-1 fv",
				"pp: input id=fixture-1 builder=fixture.local files=[out/fixture-artifact.txt]",
				"data=ConnType=local,FixtureVar=fv,Host=127.0.0.1,ID=fixture-1,PackerRunUUID=",
				"Created artifact from files: pp.txt, sums.txt",
			} {
				mustContain(t, r, "stdout", want)
			}
			mustContain(t, r, "stderr", "probe: missing file: open machine/missing")
			sums, err := os.ReadFile(filepath.Join(s.dir, "sums.txt"))
			if err != nil || !strings.Contains(string(sums), "pp.txt") {
				t.Errorf("checksum file: %q, %v", sums, err)
			}
			s.assertClean()
		})
	}
}

func TestE2E_builtinBuilderWithSDKProvisionerAndPostProcessor(t *testing.T) {
	s := newSDKEnv(t, "")
	if err := os.Mkdir(filepath.Join(s.dir, "machine"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.writeFile("t.json", `{
  "builders": [{"type": "null", "communicator": "local"}],
  "provisioners": [{"type": "fixture-probe", "text": "on {{build `+"`ID`"+`}}", "dir": "machine", "exchange": true}],
  "post-processors": [{"type": "fixture-probe", "output": "pp.txt", "keep": true, "force_override": true, "keep_input_artifact": false}]
}`)
	r := s.run("build", "t.json")
	if r.code != 0 {
		t.Fatalf("build failed:\n%v", r)
	}
	for _, want := range []string{
		"probe: on Null",
		`probe: exit=3 stdout="from-stdin\nuploaded\n" stderr="to-stderr\n"`,
		`probe: round trip "a"`,
		// The null builder's artifact, with the build's data as its
		// generated_data, as an SDK post-processor reads it.
		"pp: input id=Null builder=fnoeding.null files=[]",
		"data=ID=Null,PackerRunUUID=",
	} {
		mustContain(t, r, "stdout", want)
	}
	// forceOverride with keep wins over keep_input_artifact false, as in
	// Packer: the null builder's artifact is kept, and listed.
	mustContain(t, r, "stdout", "--> null: Did not export anything. This is the null builder")
	s.assertClean()
}
