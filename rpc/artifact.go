package rpc

import (
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/packer-classic/packer/packer"
)

// packer.Artifact on the wire. Its facts travel with its reference
// (wireArtifact); State and Destroy are calls.
var artifactInterface = declare(wireInterface{
	id:   7,
	name: "Artifact",
	serve: func(s *session, obj any) any {
		if a, ok := obj.(packer.Artifact); ok {
			return &artifactServer{s: s, impl: a}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &artifactClient{r: r} },
	methods: []string{artifactFacts, artifactState, artifactDestroy},
})

const (
	artifactFacts   = "Artifact.Facts"
	artifactState   = "Artifact.State"
	artifactDestroy = "Artifact.Destroy"
)

// MaxArtifactDescription bounds an artifact's String as it crosses a
// connection: a longer description is cut there, with a note saying how
// long it was, because it is meant for a person and would otherwise take a
// message of its own size.
const MaxArtifactDescription = 1 << 20

// maxArtifactID bounds an artifact's BuilderId and Id, and maxArtifactFiles
// the total length of its file names: these are read by programs, so one
// over its bound is an error rather than cut.
const (
	maxArtifactID    = 64 << 10
	maxArtifactFiles = 16 << 20
)

// ArtifactFacts are what an artifact says of itself that does not change:
// they travel with its reference, so the side that receives it asks for them
// no more (packer.Artifact documents that they are fixed).
type ArtifactFacts struct {
	BuilderID   string
	ID          string
	Description string
	Files       []string
}

// wireArtifact is an artifact on the wire: its reference, and its facts
// when it comes from the side that sends it.
type wireArtifact struct {
	Ref   ref
	Facts *ArtifactFacts
}

// exportArtifact makes a callable by the other side, its facts read once
// here and sent along.
func (s *session) exportArtifact(a packer.Artifact) (wireArtifact, error) {
	r := s.export(a)
	if r.Home != refSender {
		return wireArtifact{Ref: r}, nil
	}
	facts, err := readFacts(a)
	if err != nil {
		s.objects.release(r.ID)
		return wireArtifact{}, err
	}
	return wireArtifact{Ref: r, Facts: facts}, nil
}

func readFacts(a packer.Artifact) (*ArtifactFacts, error) {
	f := &ArtifactFacts{BuilderID: a.BuilderId(), ID: a.Id(), Description: a.String(), Files: a.Files()}
	if n := len(f.BuilderID); n > maxArtifactID {
		return nil, fmt.Errorf("the artifact's BuilderId() is %d bytes, over the %d an identifier may be", n, maxArtifactID)
	}
	if n := len(f.ID); n > maxArtifactID {
		return nil, fmt.Errorf("the artifact's Id() is %d bytes, over the %d an identifier may be", n, maxArtifactID)
	}
	total := 0
	for _, file := range f.Files {
		total += len(file)
	}
	if total > maxArtifactFiles {
		return nil, fmt.Errorf("the artifact's Files() hold %d bytes of names, over the %d they may hold", total, maxArtifactFiles)
	}
	if n := len(f.Description); n > MaxArtifactDescription {
		cut := MaxArtifactDescription
		for cut > 0 && !utf8.RuneStart(f.Description[cut]) {
			cut--
		}
		f.Description = fmt.Sprintf("%s... [the artifact's description is %d bytes; the first %d are shown]", f.Description[:cut], n, cut)
	}
	return f, nil
}

// resolveArtifact turns an artifact from the other side into one this side
// can use: a proxy that knows its facts, or this side's own artifact.
func (s *session) resolveArtifact(w wireArtifact) (packer.Artifact, error) {
	a, err := resolveAs[packer.Artifact](s, w.Ref, artifactInterface.id)
	if err != nil || a == nil {
		return nil, err
	}
	if client, ok := a.(*artifactClient); ok && w.Facts != nil {
		client.know(w.Facts)
	}
	return a, nil
}

// artifactClient is a packer.Artifact on the other side of the connection.
// Its facts (BuilderId, Files, Id, String) arrived with its reference; State
// and Destroy are calls.
type artifactClient struct {
	r *remote

	mu    sync.Mutex
	facts *ArtifactFacts
}

var _ packer.Artifact = (*artifactClient)(nil)

// ArtifactStateReply is the wire form of Artifact.State's result.
type ArtifactStateReply struct {
	Value []byte
	Err   *wireError
}

func (a *artifactClient) know(f *ArtifactFacts) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.facts == nil {
		a.facts = f
	}
}

// known returns the artifact's facts, asking for them once if they did not
// come with it.
func (a *artifactClient) known() *ArtifactFacts {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.facts == nil {
		var facts ArtifactFacts
		if err := a.r.call(artifactFacts, false, &facts); err != nil {
			a.r.s.logger.Printf("rpc: Artifact.Facts failed: %v", err)
			return &facts
		}
		a.facts = &facts
	}
	return a.facts
}

func (a *artifactClient) BuilderId() string { return a.known().BuilderID }
func (a *artifactClient) Files() []string   { return slices.Clone(a.known().Files) }
func (a *artifactClient) Id() string        { return a.known().ID }
func (a *artifactClient) String() string    { return a.known().Description }

func (a *artifactClient) State(name string) any {
	var reply ArtifactStateReply
	if err := a.r.call(artifactState, name, &reply); err != nil {
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
	if err := a.r.call(artifactDestroy, false, &reply); err != nil {
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

// Facts serves an artifact's facts to a side that received it without them.
func (a *artifactServer) Facts(_ bool, reply *ArtifactFacts) error {
	we := a.s.run(artifactFacts, func() error {
		facts, err := readFacts(a.impl)
		if err == nil {
			*reply = *facts
		}
		return err
	})
	return decodeError(we)
}

// State serves Artifact.State.
func (a *artifactServer) State(name string, reply *ArtifactStateReply) error {
	reply.Err = a.s.run(artifactState, func() error {
		var err error
		reply.Value, err = encodeValue(valueLabel{"artifact state", name}, a.impl.State(name))
		return err
	})
	return nil
}

// Destroy serves Artifact.Destroy.
func (a *artifactServer) Destroy(_ bool, reply *ErrorReply) error {
	reply.Err = a.s.run(artifactDestroy, a.impl.Destroy)
	return nil
}
