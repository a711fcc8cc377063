package shelllocal

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

type namedArtifact string

func (a namedArtifact) BuilderId() string { return "test" }
func (a namedArtifact) Files() []string   { return []string{"a.img", "b.img"} }
func (a namedArtifact) Id() string        { return string(a) }
func (a namedArtifact) String() string    { return string(a) }
func (a namedArtifact) State(string) any  { return nil }
func (a namedArtifact) Destroy() error    { return nil }

func TestPostProcessor_runsAndPassesTheArtifactOnKept(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	dir := t.TempDir()
	p := new(PostProcessor)
	err := p.Prepare(map[string]any{
		"inline":              []any{`echo "$PACKER_BUILD_NAME $PACKER_ARTIFACT_ID $PACKER_ARTIFACT_FILES" > "$OUT"`},
		"environment_vars":    []any{"OUT=" + filepath.Join(dir, "pp.txt")},
		"keep_input_artifact": true,
	}, map[string]any{packer.BuildNameConfigKey: "chocolate"})
	if err != nil {
		t.Fatal(err)
	}
	in := namedArtifact("in")
	out, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, in)
	if err != nil || out != packer.Artifact(in) || !keep {
		t.Fatalf("PostProcess = %v, %v, %v", out, keep, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "pp.txt")); string(got) != "chocolate in a.img b.img\n" {
		t.Errorf("pp.txt = %q", got)
	}
}

func TestPostProcessor_unknownKeysAndFailuresAreErrors(t *testing.T) {
	if err := new(PostProcessor).Prepare(map[string]any{"inline": []any{"true"}, "colour": "red"}); err == nil || !strings.Contains(err.Error(), `"colour"`) {
		t.Errorf("unknown key: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	p := new(PostProcessor)
	p.Prepare(map[string]any{"inline": []any{"exit 2"}})
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, namedArtifact("x")); err == nil {
		t.Error("a failing command did not fail the post-processor")
	}
}
