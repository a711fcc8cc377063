package rpc

import "github.com/packer-classic/packer/packer"

// artifactClient is a packer.Artifact on the other side of the connection.
// Its fixed facts are fetched once, on first use.
type artifactClient struct{ r *remote }

var _ packer.Artifact = (*artifactClient)(nil)

// ArtifactStateReply is the wire form of Artifact.State's result.
type ArtifactStateReply struct {
	Value []byte
	Err   *wireError
}

func (a *artifactClient) BuilderId() string {
	var id string
	a.r.callNoError("Artifact.BuilderId", false, &id)
	return id
}

func (a *artifactClient) Files() []string {
	var files []string
	a.r.callNoError("Artifact.Files", false, &files)
	return files
}

func (a *artifactClient) Id() string {
	var id string
	a.r.callNoError("Artifact.Id", false, &id)
	return id
}

func (a *artifactClient) String() string {
	var s string
	a.r.callNoError("Artifact.String", false, &s)
	return s
}

func (a *artifactClient) State(name string) any {
	var reply ArtifactStateReply
	if err := a.r.call("Artifact.State", name, &reply); err != nil {
		a.r.s.logger.Printf("rpc: Artifact.State(%q): %v", name, err)
		return nil
	}
	if err := decodeError(reply.Err); err != nil {
		a.r.s.logger.Printf("rpc: Artifact.State(%q): %v", name, err)
		return nil
	}
	v, err := decodeValue(valueLabel{"artifact state", name}, reply.Value)
	if err != nil {
		a.r.s.logger.Printf("rpc: %v", err)
	}
	return v
}

func (a *artifactClient) Destroy() error {
	var reply ErrorReply
	if err := a.r.call("Artifact.Destroy", false, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (a *artifactClient) remoteRef() *remote { return a.r }

// artifactServer serves a packer.Artifact to the other side.
type artifactServer struct {
	s    *session
	impl packer.Artifact
}

// BuilderId serves Artifact.BuilderId.
func (a *artifactServer) BuilderId(_ bool, reply *string) error {
	return decodeError(a.s.run("Artifact.BuilderId", func() error { *reply = a.impl.BuilderId(); return nil }))
}

// Files serves Artifact.Files.
func (a *artifactServer) Files(_ bool, reply *[]string) error {
	return decodeError(a.s.run("Artifact.Files", func() error { *reply = a.impl.Files(); return nil }))
}

// Id serves Artifact.Id.
func (a *artifactServer) Id(_ bool, reply *string) error {
	return decodeError(a.s.run("Artifact.Id", func() error { *reply = a.impl.Id(); return nil }))
}

// String serves Artifact.String.
func (a *artifactServer) String(_ bool, reply *string) error {
	return decodeError(a.s.run("Artifact.String", func() error { *reply = a.impl.String(); return nil }))
}

// State serves Artifact.State.
func (a *artifactServer) State(name string, reply *ArtifactStateReply) error {
	reply.Err = a.s.run("Artifact.State", func() error {
		var err error
		reply.Value, err = encodeValue(valueLabel{"artifact state", name}, a.impl.State(name))
		return err
	})
	return nil
}

// Destroy serves Artifact.Destroy.
func (a *artifactServer) Destroy(_ bool, reply *ErrorReply) error {
	reply.Err = a.s.run("Artifact.Destroy", a.impl.Destroy)
	return nil
}
