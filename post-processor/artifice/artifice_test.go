package artifice

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer/packertest"
)

func TestArtifice_replacesTheArtifactWithTheFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "box.tar")
	os.WriteFile(f, []byte("x"), 0o644)
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{"files": []any{f}}); err != nil {
		t.Fatal(err)
	}
	a, keep, err := p.PostProcess(context.Background(), &packertest.Ui{}, nil)
	if err != nil || !keep {
		t.Fatalf("PostProcess = %v, keep %v; Packer's artifice keeps its input", err, keep)
	}
	if a.BuilderId() != BuilderId || a.Files()[0] != f {
		t.Errorf("artifact = %q %v", a.BuilderId(), a.Files())
	}
	if err := a.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Error("Destroy left the file")
	}
}

func TestArtifice_missingFilesAreErrors(t *testing.T) {
	if err := new(PostProcessor).Prepare(map[string]any{}); err == nil || !strings.Contains(err.Error(), "files: at least one") {
		t.Errorf("no files: %v", err)
	}
}

// TestArtifice_filesAreGlobsAndAPatternMatchingNothingIsWarnedAbout: as
// in Packer, "files" are filepath.Glob patterns, expanded in order; a file
// that does not exist adds nothing (Packer says nothing; here a warning
// names it).
func TestArtifice_filesAreGlobsAndAPatternMatchingNothingIsWarnedAbout(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		os.WriteFile(name, []byte(name), 0o644)
	}
	p := new(PostProcessor)
	if err := p.Prepare(map[string]any{"files": []any{"c.log", "*.txt", "missing.bin"}}); err != nil {
		t.Fatal(err)
	}
	ui := &packertest.Ui{}
	a, _, err := p.PostProcess(context.Background(), ui, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.String(); got != "Created artifact from files: c.log, a.txt, b.txt" {
		t.Errorf("String() = %q", got)
	}
	if a.Id() != "" {
		t.Errorf("Id() = %q; Packer's is empty", a.Id())
	}
	if !strings.Contains(strings.Join(ui.Lines(), "\n"), `error: Warning: files: "missing.bin" matches no file`) {
		t.Errorf("no warning about missing.bin: %v", ui.Lines())
	}
}
