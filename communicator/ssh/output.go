package ssh

import (
	"io"
	"sync"
)

// output writes a command's two output streams to their writers, one
// write at a time, until it is closed; then it drops what still comes.
type output struct {
	mu     sync.Mutex
	closed bool
}

// copy copies r to w (discarding it when w is nil or fails), taking the
// process id marker out first when pid is not nil.
func (o *output) copy(w io.Writer, r io.Reader, pid *pidScanner) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p := buf[:n]
			if pid != nil {
				p = pid.feed(p)
			}
			w = o.write(w, p)
		}
		if err != nil {
			if pid != nil {
				o.write(w, pid.end())
			}
			return
		}
	}
}

// write writes p to w and returns the writer to use next: nil once w has
// failed, so that output nobody takes does not block the command.
func (o *output) write(w io.Writer, p []byte) io.Writer {
	if w == nil || len(p) == 0 {
		return w
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return w
	}
	if _, err := w.Write(p); err != nil {
		return nil
	}
	return w
}

func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
}
