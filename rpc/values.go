package rpc

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Values typed interface{} in the component interfaces (Prepare's raws, a
// hook's data, Artifact.State) travel as JSON: every configuration Packer
// reads from a template is JSON already, and JSON has no type registry to
// keep in step on both sides. Numbers arrive as float64, which DecodeConfig's
// weak typing turns back into the integers a component declares.

// valueLabel names a value in an error: what it is, and for some the name of
// its hook or state key. It is formatted only when there is an error, so a
// large name (a hook's name can be anything) is not copied on every call.
type valueLabel struct{ what, name string }

func (l valueLabel) String() string {
	if l.name == "" {
		return l.what
	}
	return l.what + " " + l.name
}

func encodeValue(what valueLabel, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be sent to the plugin (only JSON-encodable values can): %w", what, err)
	}
	return data, nil
}

func decodeValue(what valueLabel, data []byte) (any, error) {
	if data == nil {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", what, err)
	}
	return v, nil
}

// wireFileInfo carries the parts of an os.FileInfo a communicator uses.
type wireFileInfo struct {
	Present bool
	Name    string
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
}

func encodeFileInfo(fi *os.FileInfo) wireFileInfo {
	if fi == nil || *fi == nil {
		return wireFileInfo{}
	}
	f := *fi
	return wireFileInfo{Present: true, Name: f.Name(), Size: f.Size(), Mode: f.Mode(), ModTime: f.ModTime()}
}

func (w wireFileInfo) fileInfo() *os.FileInfo {
	if !w.Present {
		return nil
	}
	var fi os.FileInfo = &fileInfo{w}
	return &fi
}

// fileInfo is an os.FileInfo rebuilt on the receiving side.
type fileInfo struct{ w wireFileInfo }

func (f *fileInfo) Name() string       { return f.w.Name }
func (f *fileInfo) Size() int64        { return f.w.Size }
func (f *fileInfo) Mode() fs.FileMode  { return f.w.Mode }
func (f *fileInfo) ModTime() time.Time { return f.w.ModTime }
func (f *fileInfo) IsDir() bool        { return f.w.Mode.IsDir() }
func (f *fileInfo) Sys() any           { return nil }
