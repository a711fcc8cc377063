package sdkrpc

import (
	"os"
	"time"
)

// The messages of the SDK's services, field for field: msgpack carries a
// struct as a map keyed by its field names, so the names (StreamId here,
// StreamID there) are the wire's. They are exported because net/rpc serves
// only methods whose arguments are.

// BasicError is an error inside a reply.
type BasicError struct {
	Message string
}

// BuilderPrepareArgs are Builder.Prepare's arguments.
type BuilderPrepareArgs struct {
	Configs []any
}

// BuilderPrepareResponse is Builder.Prepare's reply.
type BuilderPrepareResponse struct {
	GeneratedVars []string
	Warnings      []string
	Error         *BasicError
}

// ProvisionerPrepareArgs are Provisioner.Prepare's arguments.
type ProvisionerPrepareArgs struct {
	Configs []any
}

// ProvisionerProvisionArgs are Provisioner.Provision's arguments: the
// build's data, and the id of the core's Communicator and Ui server.
type ProvisionerProvisionArgs struct {
	GeneratedData map[string]any
	StreamID      uint32
}

// PostProcessorConfigureArgs are PostProcessor.Configure's arguments.
type PostProcessorConfigureArgs struct {
	Configs []any
}

// PostProcessorProcessResponse is PostProcessor.PostProcess's reply; a
// StreamId of 0 means no artifact.
type PostProcessorProcessResponse struct {
	Err           *BasicError
	Keep          bool
	ForceOverride bool
	StreamId      uint32
}

// HookRunArgs are Hook.Run's arguments: the id is of the builder's
// Communicator and Ui server.
type HookRunArgs struct {
	Name     string
	Data     any
	StreamId uint32
}

// UiMachineArgs are Ui.Machine's arguments.
type UiMachineArgs struct {
	Category string
	Args     []string
}

// TrackProgressParameters are Ui.NewTrackProgress's arguments.
type TrackProgressParameters struct {
	Src         string
	TotalSize   int64
	CurrentSize int64
}

// CommunicatorStartArgs are Communicator.Start's arguments: the ids of the
// streams the callee opens (0 for none), allocated by the caller.
type CommunicatorStartArgs struct {
	Command          string
	StdinStreamId    uint32
	StdoutStreamId   uint32
	StderrStreamId   uint32
	ResponseStreamId uint32
}

// CommunicatorUploadArgs are Communicator.Upload's arguments.
type CommunicatorUploadArgs struct {
	Path           string
	ReaderStreamId uint32
	FileInfo       *FileInfo
}

// CommunicatorDownloadArgs are Communicator.Download's arguments.
type CommunicatorDownloadArgs struct {
	Path           string
	WriterStreamId uint32
}

// CommunicatorUploadDirArgs are the arguments of Communicator.UploadDir
// and of Communicator.DownloadDir.
type CommunicatorUploadDirArgs struct {
	Dst     string
	Src     string
	Exclude []string
}

// CommandFinished is the one gob message of the wire: a remote command's
// exit status, on its response stream.
type CommandFinished struct {
	ExitStatus int
}

// FileInfo is the SDK's fileInfo: an upload's file name, size, mode and
// modification time, as an os.FileInfo.
type FileInfo struct {
	N string
	S int64
	M os.FileMode
	T time.Time
}

func (fi FileInfo) Name() string       { return fi.N }
func (fi FileInfo) Size() int64        { return fi.S }
func (fi FileInfo) Mode() os.FileMode  { return fi.M }
func (fi FileInfo) ModTime() time.Time { return fi.T }
func (fi FileInfo) IsDir() bool        { return fi.M.IsDir() }
func (fi FileInfo) Sys() any           { return nil }

func newFileInfo(fi os.FileInfo) *FileInfo {
	return &FileInfo{N: fi.Name(), S: fi.Size(), M: fi.Mode(), T: fi.ModTime()}
}
