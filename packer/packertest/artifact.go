package packertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// FilesArtifact is an artifact made of files on the local disk, the input a
// test hands to a post-processor: packer.FilesArtifact. Destroy removes the
// files.
type FilesArtifact = packer.FilesArtifact

// NewFilesArtifact writes each name (with its own name as content) under a
// fresh directory of t and returns the artifact of those files, made by
// "packertest.files".
func NewFilesArtifact(t *testing.T, names ...string) *FilesArtifact {
	t.Helper()
	dir := t.TempDir()
	a := &FilesArtifact{BuilderID: "packertest.files", ID: "packertest"}
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		a.Paths = append(a.Paths, p)
	}
	return a
}
