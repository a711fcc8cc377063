package packer

import (
	"errors"
	"os"
	"strings"
)

// FilesArtifact is an artifact made of files on the local disk: what a
// post-processor that writes or picks files returns (the checksum and
// artifice post-processors do), and the input packertest hands a
// post-processor. Destroy removes the files.
type FilesArtifact struct {
	// BuilderID is what BuilderId returns: the component that made it.
	BuilderID string
	// ID is what Id returns; Packer's file artifacts have none ("").
	ID string
	// Paths are the artifact's files, in order.
	Paths []string
}

// BuilderId is BuilderID.
func (a *FilesArtifact) BuilderId() string { return a.BuilderID }

// Files are Paths.
func (a *FilesArtifact) Files() []string { return a.Paths }

// Id is ID.
func (a *FilesArtifact) Id() string { return a.ID }

// String lists the files as Packer's file artifacts do: "Created artifact
// from files: a, b".
func (a *FilesArtifact) String() string {
	return "Created artifact from files: " + strings.Join(a.Paths, ", ")
}

// State has nothing.
func (*FilesArtifact) State(string) any { return nil }

// Destroy removes every file (a directory with what it holds; one already
// gone is no error), going on past a failure, and returns every failure.
func (a *FilesArtifact) Destroy() error {
	var errs []error
	for _, f := range a.Paths {
		if err := os.RemoveAll(f); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
