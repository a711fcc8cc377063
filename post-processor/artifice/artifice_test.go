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
	if err != nil || keep {
		t.Fatalf("PostProcess = %v, keep %v", err, keep)
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
	p := new(PostProcessor)
	p.Prepare(map[string]any{"files": []any{"/no/such/file"}})
	if _, _, err := p.PostProcess(context.Background(), &packertest.Ui{}, nil); err == nil || !strings.Contains(err.Error(), "/no/such/file") {
		t.Errorf("missing file: %v", err)
	}
}
