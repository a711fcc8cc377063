package file

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

func TestFile_contentIsWritten0600AndACopyGetsTheUmasksMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are POSIX")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	os.WriteFile(src, []byte("bytes"), 0o644)
	for _, c := range []struct {
		config map[string]any
		want   os.FileMode
	}{
		{map[string]any{"content": "secret", "target": filepath.Join(dir, "content.txt")}, 0o600},
		{map[string]any{"source": src, "target": filepath.Join(dir, "copy.bin")}, 0o666 &^ umask(t)},
	} {
		b := new(Builder)
		if _, err := b.Prepare(c.config); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Run(context.Background(), &packertest.Ui{}, &nopHook{}); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(c.config["target"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != c.want {
			t.Errorf("%v: mode %04o, want %04o as Packer writes it", c.config, got, c.want)
		}
	}
}

// umask is the process's umask, read by creating a file with mode 0777.
func umask(t *testing.T) os.FileMode {
	path := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(path, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ info.Mode().Perm()
}
