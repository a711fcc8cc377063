package plugin

import (
	"io"
	"log"
	"strings"
	"testing"
)

// TestLineLog_quotesThePanicElseTheLastLines: an error quotes the runtime's
// panic (the panic line, the goroutine line and its first frames) when the
// output holds one, and otherwise its last lines; a line that only starts
// with "panic: " is not a panic.
func TestLineLog_quotesThePanicElseTheLastLines(t *testing.T) {
	frames := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString("pkg.f" + string(rune('a'+i)) + "()\n\t/src/f.go:1 +0x1\n")
		}
		return b.String()
	}
	for _, c := range []struct {
		name, output string
		want, not    []string
	}{
		{"a panic deep in a long trace",
			"starting\npanic: boom\n\ngoroutine 7 [running]:\n" + frames(20) + "created by pkg.g in goroutine 1\n",
			[]string{"its panic", "  panic: boom", "goroutine 7 [running]:", "pkg.fa()", "pkg.ff()"},
			[]string{"pkg.fg()", "created by", "starting"}},
		{"a fatal error",
			"fatal error: concurrent map writes\n\ngoroutine 3 [running]:\n" + frames(2),
			[]string{"its panic", "fatal error: concurrent map writes", "pkg.fb()"}, nil},
		{"a log line that starts like a panic",
			"panic: not really, a log line\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n",
			[]string{"its last lines on stderr", "line 9"}, []string{"its panic"}},
	} {
		l := newLineLog(log.New(io.Discard, "", 0), "p")
		l.Write([]byte(c.output))
		got := l.quote()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the quote lacks %q:\n%s", c.name, w, got)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: the quote has %q:\n%s", c.name, n, got)
			}
		}
	}
	if q := newLineLog(log.New(io.Discard, "", 0), "p").quote(); q != "" {
		t.Errorf("nothing printed: quote = %q, want \"\"", q)
	}
}
