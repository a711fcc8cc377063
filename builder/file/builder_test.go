package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

type nopHook struct{ ran bool }

func (h *nopHook) Run(context.Context, string, packer.Ui, packer.Communicator, any) error {
	h.ran = true
	return nil
}

func TestFile_writesContentAndTheArtifactIsTheFile(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out", "chocolate.txt")
	b := new(Builder)
	if _, err := b.Prepare(map[string]any{"content": "chocolate", "target": target}); err != nil {
		t.Fatal(err)
	}
	hook := &nopHook{}
	artifact, err := b.Run(context.Background(), &packertest.Ui{}, hook)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "chocolate" {
		t.Errorf("target holds %q", got)
	}
	if !hook.ran {
		t.Error("the provision hook did not run")
	}
	if artifact.Id() != "File" || artifact.BuilderId() != "packer.file" || artifact.Files()[0] != target || artifact.String() != "Stored file: "+target {
		t.Errorf("artifact = %q %q %v %q", artifact.Id(), artifact.BuilderId(), artifact.Files(), artifact.String())
	}
	if err := artifact.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Error("Destroy left the file")
	}
}

func TestFile_copiesASource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	os.WriteFile(src, []byte("bytes"), 0o644)
	b := new(Builder)
	if _, err := b.Prepare(map[string]any{"source": src, "target": filepath.Join(dir, "dst.bin")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Run(context.Background(), &packertest.Ui{}, &nopHook{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "dst.bin")); string(got) != "bytes" {
		t.Errorf("copy holds %q", got)
	}
}

func TestFile_prepareNamesEveryProblem(t *testing.T) {
	_, err := new(Builder).Prepare(map[string]any{"source": "/no/such/file", "content": "x"})
	for _, want := range []string{"target: required", "source and content: set one or the other", "source: "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare = %v\nwant %q", err, want)
		}
	}
	warnings, err := new(Builder).Prepare(map[string]any{"target": "x"})
	if err != nil || len(warnings) != 1 {
		t.Errorf("empty content: warnings %v, err %v", warnings, err)
	}
}
