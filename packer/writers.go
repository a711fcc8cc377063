package packer

import (
	"io"
	"sync"
)

// SyncSharedWriters returns stdout and stderr ready to be written from two
// goroutines at once, one per stream. When they are the same writer (the
// CombinedOutput pattern: one buffer for both), both results write through
// one lock, so at most one goroutine writes to it at a time and nothing is
// lost, as os/exec guarantees for exec.Cmd. Different writers, and nil, are
// returned as they are. Communicators that copy a command's two streams
// concurrently call it on a RemoteCmd's writers.
func SyncSharedWriters(stdout, stderr io.Writer) (io.Writer, io.Writer) {
	if stdout == nil || stderr == nil || !sameWriter(stdout, stderr) {
		return stdout, stderr
	}
	shared := &lockedWriter{w: stdout}
	return shared, shared
}

// sameWriter reports whether a and b are the same writer; writers whose
// dynamic type cannot be compared are taken to be different, as os/exec
// takes them.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
