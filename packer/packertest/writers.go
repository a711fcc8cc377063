package packertest

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkedWriter is a writer that is NOT safe for concurrent use, as the
// writers plugin authors hand to RemoteCmd are not (a bytes.Buffer): it
// records every byte, and reports a Write entered while another runs and a
// Write after Wait returned, the two ways a communicator breaks its writers'
// contract. The race detector sees the first one too.
type checkedWriter struct {
	name  string
	delay time.Duration // a slow writer

	inside   atomic.Int32
	overlap  atomic.Bool
	returned atomic.Bool // Wait has returned
	late     atomic.Bool

	mu      sync.Mutex // for the reader's side (String, waitFor), not the writers'
	buf     bytes.Buffer
	waiting []waiter
}

type waiter struct {
	text string
	ch   chan struct{}
}

func newCheckedWriter(name string) *checkedWriter { return &checkedWriter{name: name} }

func (w *checkedWriter) Write(p []byte) (int, error) {
	if w.inside.Add(1) > 1 {
		w.overlap.Store(true)
	}
	defer w.inside.Add(-1)
	if w.returned.Load() {
		w.late.Store(true)
	}
	if w.delay > 0 {
		time.Sleep(w.delay)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	kept := w.waiting[:0]
	for _, wt := range w.waiting {
		if strings.Contains(w.buf.String(), wt.text) {
			close(wt.ch)
		} else {
			kept = append(kept, wt)
		}
	}
	w.waiting = kept
	return len(p), nil
}

// waitFor returns a channel closed once text has been written.
func (w *checkedWriter) waitFor(text string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(w.buf.String(), text) {
		close(ch)
	} else {
		w.waiting = append(w.waiting, waiter{text, ch})
	}
	return ch
}

// waitReturned marks that Wait returned and reports what broke the rules
// so far.
func (w *checkedWriter) waitReturned(t *testing.T) {
	t.Helper()
	w.returned.Store(true)
	if w.inside.Load() > 0 {
		t.Errorf("%s was still being written when Wait returned: all output is written before SetExited", w.name)
	}
	if w.overlap.Load() {
		t.Errorf("%s was written by two goroutines at once: one goroutine at a time writes a writer (see packer.SyncSharedWriters)", w.name)
	}
	t.Cleanup(func() {
		if w.late.Load() {
			t.Errorf("%s was written after Wait returned: all output is written before SetExited", w.name)
		}
	})
}

func (w *checkedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *checkedWriter) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.buf.Bytes())
}

func (w *checkedWriter) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Len()
}

// pseudoRandomReader yields size bytes that depend only on seed, so a
// transfer can be checked byte for byte without holding it in memory.
type pseudoRandomReader struct {
	rng  *rand.ChaCha8
	left int64
}

func newPseudoRandomReader(size int64, seed byte) *pseudoRandomReader {
	var s [32]byte
	s[0] = seed
	return &pseudoRandomReader{rng: rand.NewChaCha8(s), left: size}
}

func (r *pseudoRandomReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	r.rng.Read(p)
	r.left -= int64(len(p))
	return len(p), nil
}

func pseudoRandom(size int64, seed byte) []byte {
	b, _ := io.ReadAll(newPseudoRandomReader(size, seed))
	return b
}

// compareWriter checks what is written against want, byte for byte.
type compareWriter struct {
	want io.Reader
	n    int64
	err  error
	buf  []byte
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return len(p), nil
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	want := c.buf[:len(p)]
	n, _ := io.ReadFull(c.want, want)
	if n < len(p) || !bytes.Equal(p, want) {
		c.err = fmt.Errorf("differs from what was uploaded at or after byte %d", c.n)
	}
	c.n += int64(len(p))
	return len(p), nil
}

// fileInfo is the os.FileInfo the kit passes to Upload.
type fileInfo struct {
	name string
	mode fs.FileMode
	size int64
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

func fileMode(name string, mode fs.FileMode, size int64) *os.FileInfo {
	var fi os.FileInfo = fileInfo{name, mode, size}
	return &fi
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func tail(s string) string {
	if len(s) > 30 {
		return "..." + s[len(s)-30:]
	}
	return s
}
