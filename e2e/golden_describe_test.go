package e2e

// The golden corpus's normalisation (testdata/packer-golden/README.md), as
// its check.py applies it: every file left in a run directory becomes a
// descriptor chosen by its content, so that what legitimately differs from
// run to run (times, owners, uuids, the run directory) does not count.
// Descriptors are JSON-shaped values (map[string]any, []any, string,
// json.Number, bool, nil) so that they compare with reflect.DeepEqual
// against expected.json decoded with UseNumber.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	// goldenTextLimit is the largest content shown as text in a descriptor.
	goldenTextLimit = 2000
	// goldenRunDir stands for the run directory in expected strings.
	goldenRunDir = "@RUNDIR@"
	// goldenMemberDepth bounds how deep archives inside archives are
	// described.
	goldenMemberDepth = 4
)

var (
	goldenUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	goldenANSI = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
)

// descriptor is one file's (or member's) normalised form.
type descriptor = map[string]any

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// octalMode is a file's permission bits as check.py prints them: four
// octal digits, setuid, setgid and sticky included.
func octalMode(mode fs.FileMode) string {
	bits := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return fmt.Sprintf("%04o", bits)
}

// smallText is data as text when it is small UTF-8, else ok is false.
func smallText(data []byte) (string, bool) {
	if len(data) > goldenTextLimit || !utf8.Valid(data) {
		return "", false
	}
	return string(data), true
}

// describeData describes bytes by their magic: zip, tar (maybe
// compressed), a single compressed file, or a plain file.
func describeData(data []byte, depth int) descriptor {
	comp := compressionOf(data)
	if comp == "zip" {
		members, err := zipMembers(data, depth)
		if err != nil {
			return descriptor{"kind": "file", "sha256": sha256Hex(data), "error": "bad zip: " + err.Error()}
		}
		return descriptor{"kind": "zip", "members": members}
	}
	payload := data
	if comp != "" {
		var err error
		if payload, err = decompress(comp, data); err != nil {
			return descriptor{"kind": "file", "sha256": sha256Hex(data), "error": fmt.Sprintf("bad %s data: %v", comp, err)}
		}
	}
	if isTar(payload) {
		members, err := tarMembers(payload, depth)
		if err == nil {
			return descriptor{"kind": "tar", "compression": cmpOr(comp, "none"), "members": members}
		}
		if comp == "" {
			return descriptor{"kind": "file", "sha256": sha256Hex(data), "error": "bad tar: " + err.Error()}
		}
	}
	if comp != "" {
		d := descriptor{"kind": "compressed", "compression": comp, "sha256": sha256Hex(payload)}
		if comp == "lz4" {
			_, frames, _ := lz4Frames(data)
			d["frames"] = frames
		}
		if text, ok := smallText(payload); ok {
			d["text"] = text
		}
		return d
	}
	d := descriptor{"kind": "file", "sha256": sha256Hex(data)}
	if text, ok := smallText(data); ok {
		d["text"] = text
	}
	return d
}

func cmpOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// describeFile describes the file at path in the run directory rundir.
// hint, the expected descriptor (nil for an unexpected file), is tried
// first: a regex is matched, a manifest parsed as one.
func describeFile(path, rundir string, hint descriptor) descriptor {
	info, err := os.Lstat(path)
	if err != nil {
		return descriptor{"kind": "missing", "error": err.Error()}
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return descriptor{"kind": "symlink", "target": target}
	}
	mode := octalMode(info.Mode())
	if info.IsDir() {
		return descriptor{"kind": "dir", "mode": mode}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return descriptor{"kind": "unreadable", "mode": mode, "error": err.Error()}
	}
	want, _ := hint["kind"].(string)

	if want == "regex" {
		text := strings.ToValidUTF8(string(data), "\uFFFD")
		pattern, _ := hint["regex"].(string)
		d := descriptor{"kind": "regex", "mode": mode, "regex": "<no match>", "_text": truncate(text, goldenTextLimit)}
		if goldenRegex(pattern, rundir).MatchString(text) {
			d["regex"] = pattern
		}
		return d
	}
	if want == "manifest" || (want == "" && strings.HasSuffix(path, ".json")) {
		if doc, err := decodeJSON(data); err == nil && (want == "manifest" || looksLikeManifest(doc)) {
			return descriptor{"kind": "manifest", "mode": mode, "json": normaliseManifest(doc)}
		}
	}
	d := describeData(data, 0)
	d["mode"] = mode
	return d
}

// goldenRegex compiles an expected regex as Python's re.fullmatch with
// re.S applies it, @RUNDIR@ standing for the run directory.
func goldenRegex(pattern, rundir string) *regexp.Regexp {
	pattern = strings.ReplaceAll(pattern, goldenRunDir, regexp.QuoteMeta(rundir))
	re, err := regexp.Compile(`(?s)\A(?:` + pattern + `)\z`)
	if err != nil {
		return regexp.MustCompile(`\z\A`) // matches nothing: reported as <no match>
	}
	return re
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// decodeJSON decodes JSON keeping numbers as written, as expected.json is
// read.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

func looksLikeManifest(doc any) bool {
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, builds := m["builds"].([]any)
	_, last := m["last_run_uuid"]
	return builds && last
}

// normaliseManifest replaces build_time by "<int>" and run uuids by
// "<uuid:N>", N numbering distinct uuids by first appearance (keys in
// sorted order, builds sorted), so that "same run" stays visible.
func normaliseManifest(doc any) any {
	if m, ok := doc.(map[string]any); ok {
		if builds, ok := m["builds"].([]any); ok {
			sorted := append([]any(nil), builds...)
			sort.SliceStable(sorted, func(i, j int) bool { return buildSortKey(sorted[i]) < buildSortKey(sorted[j]) })
			copied := make(map[string]any, len(m))
			for k, v := range m {
				copied[k] = v
			}
			copied["builds"] = sorted
			doc = copied
		}
	}
	seen := map[string]string{}
	var walk func(v any, key string) any
	walk = func(v any, key string) any {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for _, k := range sortedKeys(t) {
				out[k] = walk(t[k], k)
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, x := range t {
				out[i] = walk(x, "")
			}
			return out
		case json.Number:
			if key == "build_time" {
				return "<int>"
			}
		case string:
			if (key == "packer_run_uuid" || key == "last_run_uuid") && goldenUUID.MatchString(t) {
				if _, ok := seen[t]; !ok {
					seen[t] = fmt.Sprintf("<uuid:%d>", len(seen)+1)
				}
				return seen[t]
			}
		}
		return v
	}
	return walk(doc, "")
}

// buildSortKey orders a manifest's builds as check.py does: by Python's
// json.dumps of [name, builder_type, artifact_id, files, custom_data].
func buildSortKey(b any) string {
	m, ok := b.(map[string]any)
	if !ok {
		return pyJSON(b)
	}
	return pyJSON([]any{m["name"], m["builder_type"], m["artifact_id"], m["files"], m["custom_data"]})
}

// pyJSON writes v as Python's json.dumps(v, sort_keys=True) does: ", " and
// ": " separators, non-ASCII escaped.
func pyJSON(v any) string {
	var b strings.Builder
	var write func(v any)
	write = func(v any) {
		switch t := v.(type) {
		case nil:
			b.WriteString("null")
		case bool:
			b.WriteString(strconv.FormatBool(t))
		case json.Number:
			b.WriteString(t.String())
		case string:
			b.WriteString(strconv.QuoteToASCII(t))
		case []any:
			b.WriteByte('[')
			for i, x := range t {
				if i > 0 {
					b.WriteString(", ")
				}
				write(x)
			}
			b.WriteByte(']')
		case map[string]any:
			b.WriteByte('{')
			for i, k := range sortedKeys(t) {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.QuoteToASCII(k) + ": ")
				write(t[k])
			}
			b.WriteByte('}')
		default:
			fmt.Fprint(&b, t)
		}
	}
	write(v)
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// snapshot describes every file, symlink and empty directory under rundir
// by its path relative to rundir, each with its expected descriptor as the
// hint.
func snapshot(rundir string, expected map[string]any) (map[string]descriptor, error) {
	out := map[string]descriptor{}
	err := filepath.WalkDir(rundir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(rundir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			entries, err := os.ReadDir(path)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				out[rel] = describeFile(path, rundir, hintFor(expected, rel))
			}
			return nil
		}
		out[rel] = describeFile(path, rundir, hintFor(expected, rel))
		return nil
	})
	return out, err
}

func hintFor(expected map[string]any, rel string) descriptor {
	d, _ := expected[rel].(map[string]any)
	return d
}

// cleanOutput is a run's combined output as the cases match it: CRLF as
// LF, ANSI colour codes removed.
func cleanOutput(raw []byte) string {
	text := strings.ToValidUTF8(string(raw), "\uFFFD")
	return goldenANSI.ReplaceAllString(strings.ReplaceAll(text, "\r\n", "\n"), "")
}

// jsonShaped turns a descriptor built in Go (ints, []descriptor) into the
// shape expected.json decodes to, so the two compare with DeepEqual.
func jsonShaped(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // descriptors hold only JSON values
	}
	out, err := decodeJSON(data)
	if err != nil {
		panic(err)
	}
	return out
}

func TestGoldenNormaliser_manifestUUIDsAreNumberedByFirstAppearance(t *testing.T) {
	doc, err := decodeJSON([]byte(`{"last_run_uuid": "bbbbbbbb-2222-3333-4444-555555555555", "builds": [
		{"name": "z", "build_time": 1700000000, "packer_run_uuid": "bbbbbbbb-2222-3333-4444-555555555555"},
		{"name": "a", "build_time": 1, "packer_run_uuid": "aaaaaaaa-2222-3333-4444-555555555555"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := pyJSON(normaliseManifest(doc))
	want := `{"builds": [{"build_time": "<int>", "name": "a", "packer_run_uuid": "<uuid:1>"}, ` +
		`{"build_time": "<int>", "name": "z", "packer_run_uuid": "<uuid:2>"}], "last_run_uuid": "<uuid:2>"}`
	if got != want {
		t.Errorf("normalised manifest\n got %s\nwant %s", got, want)
	}
}
