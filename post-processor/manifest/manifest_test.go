package manifest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

type artifact struct {
	id    string
	files []string
}

func (a artifact) BuilderId() string { return "test" }
func (a artifact) Files() []string   { return a.files }
func (a artifact) Id() string        { return a.id }
func (a artifact) String() string    { return a.id }
func (a artifact) State(string) any  { return nil }
func (a artifact) Destroy() error    { return nil }

func run(t *testing.T, config map[string]any, build string, a packer.Artifact) {
	t.Helper()
	p := new(PostProcessor)
	if err := p.Prepare(config, map[string]any{packer.BuildNameConfigKey: build, packer.BuilderTypeConfigKey: "null"}); err != nil {
		t.Fatal(err)
	}
	out, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, a)
	if err != nil {
		t.Fatal(err)
	}
	if out != a || !keep {
		t.Errorf("PostProcess returned %v, keep %v; want its input, kept", out, keep)
	}
}

// TestManifest_writesWhatPackerWrote matches what real Packer wrote for
// build-name-and-type/all.json -only=potato (shared/packer-fixtures).
func TestManifest_writesWhatPackerWrote(t *testing.T) {
	t.Setenv(RunUUIDEnv, "run-1")
	out := filepath.Join(t.TempDir(), "manifest.json")
	run(t, map[string]any{"output": out, "strip_time": true}, "potato", &artifact{id: "Null"})
	data, _ := os.ReadFile(out)
	want := `{
  "builds": [
    {
      "name": "potato",
      "builder_type": "null",
      "files": null,
      "artifact_id": "Null",
      "packer_run_uuid": "run-1",
      "custom_data": null
    }
  ],
  "last_run_uuid": "run-1"
}`
	if string(data) != want {
		t.Errorf("manifest:\n%s\nwant:\n%s", data, want)
	}
}

func TestManifest_appendsFilesWithSizesAndCustomData(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "disk.img")
	os.WriteFile(file, []byte("12345"), 0o644)
	out := filepath.Join(dir, "m.json")
	t.Setenv(RunUUIDEnv, "first")
	run(t, map[string]any{"output": out}, "a", &artifact{id: "x"})
	t.Setenv(RunUUIDEnv, "second")
	run(t, map[string]any{"output": out, "strip_path": true, "custom_data": map[string]any{"k": "v"}}, "b", &artifact{id: "y", files: []string{file}})
	var m File
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Builds) != 2 || m.LastRunUUID != "second" {
		t.Fatalf("manifest = %+v", m)
	}
	b := m.Builds[1]
	if b.Name != "b" || len(b.Files) != 1 || b.Files[0] != (ArtifactFile{Name: "disk.img", Size: 5}) || b.CustomData["k"] != "v" || b.BuildTime == 0 {
		t.Errorf("second build = %+v", b)
	}
}

func TestManifest_parallelBuildsLoseNoRecord(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(t, map[string]any{"output": out}, fmt.Sprint("build", i), &artifact{id: "x"})
		}()
	}
	wg.Wait()
	var m File
	data, _ := os.ReadFile(out)
	json.Unmarshal(data, &m)
	if len(m.Builds) != 20 {
		t.Errorf("%d records, want 20", len(m.Builds))
	}
}

func TestManifest_errorsSayWhatToDo(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(out, []byte("not json"), 0o644)
	p := new(PostProcessor)
	p.Prepare(map[string]any{"output": out})
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, artifact{id: "x"}); err == nil || !strings.Contains(err.Error(), "is not a manifest") {
		t.Errorf("corrupt manifest: %v", err)
	}
	if err := new(PostProcessor).Prepare(map[string]any{"outptu": "x"}); err == nil || !strings.Contains(err.Error(), `"outptu"`) {
		t.Errorf("misspelt key: %v", err)
	}
}

func TestManifest_outputThatLeavesTheWorkingDirectoryIsRefused(t *testing.T) {
	err := new(PostProcessor).Prepare(map[string]any{"output": "../../etc/manifest.json"})
	if err == nil || !strings.Contains(err.Error(), "output: \"../../etc/manifest.json\" leaves the working directory") {
		t.Errorf("Prepare = %v", err)
	}
}

// TestManifest_aMissingDirectoryIsAnErrorAndAMissingFileHasSizeZero, as in
// Packer: the manifest's directory is not created, and an artifact file
// that is gone (an earlier chain's compress removed it) is recorded with
// size 0, with a warning here.
func TestManifest_aMissingDirectoryIsAnErrorAndAMissingFileHasSizeZero(t *testing.T) {
	t.Chdir(t.TempDir())
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{"output": "nodir/m.json"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, artifact{id: "x"})
	if err == nil || !strings.Contains(err.Error(), "nodir/m.json") || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("output in a missing directory: %v, want an error naming it", err)
	}
	if _, err := os.Stat("nodir"); !os.IsNotExist(err) {
		t.Errorf("the directory was made: %v", err)
	}

	ui := &packertest.Ui{}
	run := new(PostProcessor)
	run.Prepare(map[string]any{"output": "m.json"})
	if _, _, err := run.PostProcess(context.Background(), ui, artifact{id: "File", files: []string{"gone.txt"}}); err != nil {
		t.Fatal(err)
	}
	var m File
	data, _ := os.ReadFile("m.json")
	json.Unmarshal(data, &m)
	if len(m.Builds) != 1 || len(m.Builds[0].Files) != 1 || m.Builds[0].Files[0] != (ArtifactFile{Name: "gone.txt", Size: 0}) {
		t.Errorf("manifest = %s", data)
	}
	if !strings.Contains(strings.Join(ui.Lines(), "\n"), "gone.txt in the manifest with size 0") {
		t.Errorf("no warning about gone.txt: %v", ui.Lines())
	}
}

// TestManifest_forceStartsAfreshAManifestOfAnotherRun: with -force, Packer
// drops the builds an earlier run recorded, and keeps those of this run.
func TestManifest_forceStartsAfreshAManifestOfAnotherRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	force := func(build, uuid string) {
		t.Setenv(RunUUIDEnv, uuid)
		p := new(PostProcessor)
		if err := p.Prepare(map[string]any{"output": out}, map[string]any{packer.BuildNameConfigKey: build, packer.ForceConfigKey: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, artifact{id: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	force("old", "run-1")
	force("new1", "run-2")
	force("new2", "run-2")
	var m File
	data, _ := os.ReadFile(out)
	json.Unmarshal(data, &m)
	var names []string
	for _, b := range m.Builds {
		names = append(names, b.Name)
	}
	if strings.Join(names, " ") != "new1 new2" || m.LastRunUUID != "run-2" {
		t.Errorf("builds %v, last run %q; want this run's new1 new2", names, m.LastRunUUID)
	}
}
