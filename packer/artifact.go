package packer

// Artifact is the result of a build or a post-processor: an image, a set of
// files, an ID in some remote service.
//
// BuilderId, Files, Id and String are the artifact's facts: they must not
// change once the artifact has been returned, because they are read once,
// when the artifact crosses to another process, and travel with it. A
// String longer than rpc.MaxArtifactDescription (1 MiB) is cut there, with a
// note of its length; a BuilderId or Id over 64 KiB, or Files naming more
// than 16 MiB, cannot cross and fail the call that returns the artifact.
type Artifact interface {
	// BuilderId names the component that made the artifact, so that a
	// post-processor can tell whether it knows how to handle it
	// (for example "packer.file").
	BuilderId() string
	// Files lists the files on the local disk that make up the artifact,
	// if any.
	Files() []string
	// Id identifies the artifact in the system that holds it.
	Id() string
	// String describes the artifact to a person.
	String() string
	// State returns builder-specific data about the artifact by name, or nil.
	// Values cross process boundaries as JSON, so they should be made of
	// maps, slices, strings, numbers and booleans.
	State(name string) interface{}
	// Destroy deletes the artifact.
	Destroy() error
}
