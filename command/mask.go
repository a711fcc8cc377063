package command

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// maskText is what every form of a sensitive value is shown as.
const maskText = "<sensitive>"

// masker replaces every form a sensitive value can take with <sensitive>.
// It is the one place that decides what is masked: the Ui, machine-readable
// output, the log and error messages all go through it. A nil masker masks
// nothing.
type masker struct {
	replacer *strings.Replacer
}

// newMasker returns the masker of these values, or nil when none of them
// is worth masking (blank values are left out: masking every space would
// garble all output).
func newMasker(sensitive []string) *masker {
	forms := sensitiveForms(sensitive)
	if len(forms) == 0 {
		return nil
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, maskText)
	}
	return &masker{replacer: strings.NewReplacer(pairs...)}
}

// mask returns s with every form of every sensitive value replaced.
func (m *masker) mask(s string) string {
	if m == nil {
		return s
	}
	return m.replacer.Replace(s)
}

// sensitiveForms returns every form in which the values can reach output,
// longest first, so that a whole value is masked before any one of its
// lines: each value and each of its lines (as written and trimmed), and
// each of those encoded once or twice over by the encodings components use
// when they quote a value (a shell command quoted in an error is
// shell-escaped, then Go-quoted).
func sensitiveForms(values []string) []string {
	seen := map[string]bool{}
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		bases := []string{v}
		if strings.ContainsAny(v, "\r\n") {
			for _, line := range strings.Split(v, "\n") {
				line = strings.TrimRight(line, "\r")
				bases = append(bases, line, strings.TrimSpace(line))
			}
		}
		for _, base := range bases {
			seen[base] = true
			for _, once := range valueEncodings {
				first := once(base)
				seen[first] = true
				for _, twice := range valueEncodings {
					seen[twice(first)] = true
				}
			}
		}
	}
	var forms []string
	for f := range seen {
		if strings.TrimSpace(f) != "" {
			forms = append(forms, f)
		}
	}
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return forms
}

// valueEncodings are the ways a value is escaped on its way to output:
// inside a JSON string (with and without HTML escaping), a Go-quoted string
// (%q, and its ASCII-only form), a single-quoted shell word (both idioms for
// a quote inside one), a URL's query or path, and the Ui's escaping of
// control characters.
var valueEncodings = []func(string) string{
	func(s string) string { return jsonInner(s, true) },
	func(s string) string { return jsonInner(s, false) },
	func(s string) string { return unquote(strconv.Quote(s)) },
	func(s string) string { return unquote(strconv.QuoteToASCII(s)) },
	func(s string) string { return strings.ReplaceAll(s, "'", `'"'"'`) },
	func(s string) string { return strings.ReplaceAll(s, "'", `'\''`) },
	url.QueryEscape,
	url.PathEscape,
	packer.EscapeControl,
}

// jsonInner is s as it appears between the quotes of a JSON string.
func jsonInner(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return unquote(strings.TrimSuffix(b.String(), "\n"))
}

func unquote(quoted string) string { return quoted[1 : len(quoted)-1] }

// maskingUi masks everything shown through it, whichever component prints
// it.
type maskingUi struct {
	packer.Ui
	masker *masker
}

// newMaskingUi wraps ui so that the sensitive values, in every form, show as
// <sensitive>; with nothing to mask it returns ui itself.
func newMaskingUi(ui packer.Ui, sensitive []string) packer.Ui {
	m := newMasker(sensitive)
	if m == nil {
		return ui
	}
	return &maskingUi{Ui: ui, masker: m}
}

// Ask masks the question; the answer is the user's own.
func (u *maskingUi) Ask(query string) (string, error) { return u.Ui.Ask(u.masker.mask(query)) }

// Say, Message, Error and Machine mask, then pass on.
func (u *maskingUi) Say(m string)     { u.Ui.Say(u.masker.mask(m)) }
func (u *maskingUi) Message(m string) { u.Ui.Message(u.masker.mask(m)) }
func (u *maskingUi) Error(m string)   { u.Ui.Error(u.masker.mask(m)) }
func (u *maskingUi) Machine(kind string, args ...string) {
	masked := make([]string, len(args))
	for i, a := range args {
		masked[i] = u.masker.mask(a)
	}
	u.Ui.Machine(kind, masked...)
}

// maskLog makes logger mask the sensitive values, in every form, in all it
// writes from now on, plugins' stderr included.
func maskLog(logger *log.Logger, sensitive []string) {
	m := newMasker(sensitive)
	if m == nil || logger == nil {
		return
	}
	logger.SetOutput(&maskingWriter{w: logger.Writer(), masker: m})
}

// maskingWriter masks each write; the log package writes whole lines.
type maskingWriter struct {
	w      io.Writer
	masker *masker
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, m.masker.mask(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hiddenValue stands for a -var value in the log's first line.
const hiddenValue = "<hidden>"

// ArgsForLog returns packer's arguments as the log's first line shows them:
// the value of every -var flag hidden, because that line is written before
// any template says which variables are sensitive. Once it does, build and
// validate log the variables again, masked.
func ArgsForLog(args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		name, value, inline := strings.Cut(a, "=")
		if name != "-var" && name != "--var" {
			continue
		}
		if inline {
			out[i] = name + "=" + hideVarValue(value)
		} else if i+1 < len(out) {
			i++
			out[i] = hideVarValue(out[i])
		}
	}
	return out
}

// hideVarValue keeps the name of a -var NAME=VALUE and hides the value.
func hideVarValue(kv string) string {
	if name, _, ok := strings.Cut(kv, "="); ok {
		return name + "=" + hiddenValue
	}
	return hiddenValue
}
