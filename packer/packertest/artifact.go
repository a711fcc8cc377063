package packertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FilesArtifact is an artifact made of files on the local disk, the input a
// test hands to a post-processor. Destroy removes the files.
type FilesArtifact struct {
	ID    string
	Paths []string
}

// NewFilesArtifact writes each name (with its own name as content) under a
// fresh directory of t and returns the artifact of those files.
func NewFilesArtifact(t *testing.T, names ...string) *FilesArtifact {
	t.Helper()
	dir := t.TempDir()
	a := &FilesArtifact{ID: "packertest"}
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

// BuilderId is "packertest.files".
func (a *FilesArtifact) BuilderId() string { return "packertest.files" }

// Files lists the artifact's files.
func (a *FilesArtifact) Files() []string { return a.Paths }

// Id is ID.
func (a *FilesArtifact) Id() string { return a.ID }

// String names the files.
func (a *FilesArtifact) String() string { return "files: " + strings.Join(a.Paths, ", ") }

// State has nothing.
func (a *FilesArtifact) State(string) any { return nil }

// Destroy removes the files.
func (a *FilesArtifact) Destroy() error {
	for _, p := range a.Paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
