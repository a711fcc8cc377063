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

// panicFrames is how many frames of the panicking goroutine an error
// quotes: the first ones are where the panic happened, the author's code
// even when the framework called it; the last ones, which a tail would
// show, are the framework's.
const panicFrames = 6

// maxPanicLines bounds what is kept of a panic before its goroutine's
// frames (the panic line, a [signal ...] line, a nested panic's lines).
const maxPanicLines = 8

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
	panic   panicQuote
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
	l.panic.add(line)
	l.tail = append(l.tail, line)
	if len(l.tail) > stderrTail {
		l.tail = l.tail[len(l.tail)-stderrTail:]
	}
}

// quote returns what an error says of the output, on lines of its own
// after the error's first: the first panic (or fatal error) and the first
// frames of its goroutine when the plugin printed one, else its last
// lines; "" when it printed nothing.
func (l *lineLog) quote() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.panic.frames >= 0 && len(l.panic.lines) > 0:
		return "\nits panic, from its stderr:\n" + indent(l.panic.lines)
	case len(l.tail) > 0:
		return "\nits last lines on stderr:\n" + indent(l.tail)
	}
	return ""
}

func indent(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		b.WriteString("  " + line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// panicQuote keeps the first panic a Go program printed, as the runtime
// prints it: "panic: ..." (or "fatal error: ..."), then "goroutine N
// [running]:" and the goroutine's frames, innermost first, two lines each.
type panicQuote struct {
	lines  []string
	frames int  // frame lines kept after the goroutine line; -1 before it (or when it is not a panic)
	done   bool // the quote is complete
}

func (p *panicQuote) add(line string) {
	switch {
	case p.done:
	case len(p.lines) == 0:
		if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
			p.lines, p.frames = []string{line}, -1
		}
	case p.frames < 0:
		p.lines = append(p.lines, line)
		if strings.HasPrefix(line, "goroutine ") {
			p.frames = 0
		} else if len(p.lines) >= maxPanicLines {
			p.lines = nil // no goroutine follows: not the runtime's panic
		}
	default:
		p.lines = append(p.lines, line)
		p.frames++
		p.done = p.frames >= 2*panicFrames || line == ""
	}
}
