package packer

import (
	"bytes"
	"unicode/utf8"
)

// MaxLinePiece is the longest piece of a line a LineWriter shows at once: a
// longer line is shown in pieces of at most this many bytes, so output is
// never dropped for being long.
const MaxLinePiece = 64 << 10

// LineWriter is an io.Writer that calls show with every line written to
// it, without its line ending, as soon as the line is complete. It is how
// command output reaches a Ui (RemoteCmd.RunWithUi uses one per stream).
//
// A line longer than MaxLinePiece is shown in pieces. A carriage return
// that does not end the line (a progress bar redrawing itself) discards
// what came before it on that line, as a terminal shows it; the bytes are
// gone only from the display, never from a writer the output is also
// copied to. Close shows a last line that had no newline. A LineWriter is
// used by one goroutine at a time; Write never fails.
type LineWriter struct {
	show func(string)
	line []byte
	cr   bool // the last byte seen was a carriage return
}

// NewLineWriter returns a LineWriter that shows each line with show.
func NewLineWriter(show func(string)) *LineWriter {
	return &LineWriter{show: show}
}

// Write shows every line p completes and keeps the rest for the next
// Write.
func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.cr {
			w.cr = false
			if p[0] != '\n' {
				w.line = w.line[:0] // redrawn: a terminal shows what follows
			}
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			w.add(p)
			break
		}
		w.add(p[:i])
		if p[i] == '\n' {
			w.emit()
		} else {
			w.cr = true
		}
		p = p[i+1:]
	}
	return n, nil
}

// Close shows what is left of an unterminated last line.
func (w *LineWriter) Close() error {
	if len(w.line) > 0 {
		w.emit()
	}
	w.cr = false
	return nil
}

// add appends p to the line, showing full pieces of an over-long one. A
// piece ends on a character boundary, so no character is split between two
// messages.
func (w *LineWriter) add(p []byte) {
	w.line = append(w.line, p...)
	for len(w.line) > MaxLinePiece {
		cut := MaxLinePiece
		for back := 0; back < utf8.UTFMax && cut > 0 && !utf8.RuneStart(w.line[cut]); back++ {
			cut--
		}
		if cut == 0 {
			cut = MaxLinePiece
		}
		w.show(string(w.line[:cut]))
		w.line = append(w.line[:0], w.line[cut:]...)
	}
}

func (w *LineWriter) emit() {
	w.show(string(w.line))
	w.line = w.line[:0]
}
