package plugin

import (
	"bytes"
	"log"
	"strings"
	"sync"
)

// maxLogLine is the longest piece of a plugin's output logged as one line:
// a longer line is logged in pieces, never buffered whole, so a plugin
// cannot make the core hold (or wait for the end of) a gigabyte line.
const maxLogLine = 64 << 10

// stderrTail is how many of the last stderr lines an error quotes.
const stderrTail = 10

// lineLog is the writer a plugin's stderr (or stray stdout) goes to: it
// logs each line prefixed with the plugin's name, cuts lines longer than
// maxLogLine into pieces, and keeps the last stderrTail lines for errors.
// It never fails and never blocks on anything but the logger.
type lineLog struct {
	logger *log.Logger
	name   string

	mu      sync.Mutex
	partial []byte
	tail    []string
}

func newLineLog(logger *log.Logger, name string) *lineLog {
	return &lineLog{logger: logger, name: name}
}

// Write logs every complete line of p (and every maxLogLine piece of an
// incomplete one), keeping the rest for the next Write.
func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	rest := l.partial
	for {
		if i := bytes.IndexByte(rest, '\n'); i >= 0 && i <= maxLogLine {
			l.emit(rest[:i])
			rest = rest[i+1:]
			continue
		}
		if len(rest) >= maxLogLine {
			l.emit(rest[:maxLogLine])
			rest = rest[maxLogLine:]
			continue
		}
		break
	}
	l.partial = append(l.partial[:0], rest...)
	return len(p), nil
}

// Flush logs what is left of an unfinished last line.
func (l *lineLog) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial) > 0 {
		l.emit(l.partial)
		l.partial = l.partial[:0]
	}
}

func (l *lineLog) emit(b []byte) {
	line := strings.TrimRight(string(b), "\r")
	l.logger.Printf("%s: %s", l.name, line)
	l.tail = append(l.tail, line)
	if len(l.tail) > stderrTail {
		l.tail = l.tail[len(l.tail)-stderrTail:]
	}
}

// lastLines returns the kept lines, indented, one per line ("" when none).
func (l *lineLog) lastLines() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range l.tail {
		b.WriteString("  " + line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
