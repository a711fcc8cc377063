package compress

import "os"

// Artifact is the archive compress wrote.
type Artifact struct{ path string }

// BuilderId is the compress post-processor's id.
func (*Artifact) BuilderId() string { return BuilderId }

// Files is the archive.
func (a *Artifact) Files() []string { return []string{a.path} }

// Id is empty, as Packer's is: the archive is in Files, and a manifest
// records its artifact_id as "".
func (*Artifact) Id() string { return "" }

// String is Packer's "compressed artifacts in: PATH".
func (a *Artifact) String() string { return "compressed artifacts in: " + a.path }

// State has nothing.
func (*Artifact) State(string) any { return nil }

// Destroy removes the archive.
func (a *Artifact) Destroy() error { return os.Remove(a.path) }
