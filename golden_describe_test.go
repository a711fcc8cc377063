package main

// The golden corpus's normalisation (testdata/packer-golden/README.md), as
// its check.py applies it: every file left in a run directory becomes a
// descriptor chosen by its content, so that what legitimately differs from
// run to run (times, owners, uuids, the run directory) does not count.
// Descriptors are JSON-shaped values (map[string]any, []any, string,
// json.Number, bool, nil) so that they compare with reflect.DeepEqual
// against expected.json decoded with UseNumber.

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
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

// compressionOf names the compression (or zip) of data by its magic bytes,
// or "" for none.
func compressionOf(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		if len(data) >= 16 && data[3]&0x04 != 0 && string(data[12:14]) == "BC" {
			return "bgzf"
		}
		return "gzip"
	case bytes.HasPrefix(data, []byte("\xfd7zXZ\x00")):
		return "xz"
	case bytes.HasPrefix(data, []byte("BZh")):
		return "bzip2"
	case bytes.HasPrefix(data, []byte{0x04, 0x22, 0x4d, 0x18}):
		return "lz4"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return "zip"
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	}
	return ""
}

// decompress undoes compression kind. A gzip stream of several members
// (as BGZF is) is read whole. Unlike check.py, which has no zstd in
// Python's standard library and only names it, zstd is decoded too: this
// project writes real zstd where Packer does not, and its contents are
// worth checking.
func decompress(kind string, data []byte) ([]byte, error) {
	var r io.Reader
	switch kind {
	case "gzip", "bgzf":
		gz, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = gz
	case "xz":
		xr, err := xz.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = xr
	case "bzip2":
		r = bzip2.NewReader(bytes.NewReader(data))
	case "lz4":
		out, _, err := lz4Frames(data)
		return out, err
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	default:
		return data, nil
	}
	return io.ReadAll(r)
}

// isTar reports whether data is a tar archive: the ustar magic, or an
// archive of nothing but its zero end blocks.
func isTar(data []byte) bool {
	if len(data) >= 512 && string(data[257:262]) == "ustar" {
		return true
	}
	return len(data) >= 1024 && len(data)%512 == 0 && len(bytes.Trim(data, "\x00")) == 0
}

// memberContent describes a member that is itself an archive or compressed
// file (its bytes hold owners and times) and hashes any other.
func memberContent(data []byte, depth int) descriptor {
	if depth < goldenMemberDepth && (compressionOf(data) != "" || isTar(data)) {
		return descriptor{"content": describeData(data, depth+1)}
	}
	return descriptor{"sha256": sha256Hex(data)}
}

func tarMembers(data []byte, depth int) ([]any, error) {
	tr := tar.NewReader(bytes.NewReader(data))
	var members []descriptor
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		m := descriptor{"name": hdr.Name, "mode": fmt.Sprintf("%04o", hdr.Mode&0o7777)}
		switch hdr.Typeflag {
		case tar.TypeDir:
			// Python's tarfile, which recorded the corpus, drops a
			// directory's trailing slash.
			m["name"] = strings.TrimRight(hdr.Name, "/")
			m["type"], m["sha256"] = "dir", nil
		case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse: // archive/tar reads the old '\x00' type as TypeReg
			content, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			m["type"] = "file"
			for k, v := range memberContent(content, depth) {
				m[k] = v
			}
		case tar.TypeSymlink:
			m["type"], m["sha256"] = "symlink", hdr.Linkname
		default:
			m["type"], m["sha256"] = "other", nil
		}
		members = append(members, m)
	}
	return sortedMembers(members), nil
}

func zipMembers(data []byte, depth int) ([]any, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var members []descriptor
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		m := descriptor{"name": f.Name}
		for k, v := range memberContent(content, depth) {
			m[k] = v
		}
		members = append(members, m)
	}
	return sortedMembers(members), nil
}

func sortedMembers(members []descriptor) []any {
	sort.SliceStable(members, func(i, j int) bool { return members[i]["name"].(string) < members[j]["name"].(string) })
	out := make([]any, len(members))
	for i, m := range members {
		out[i] = m
	}
	return out
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

// lz4Frames decodes concatenated LZ4 frames (skippable frames skipped) and
// counts them: Packer's lz4 writes one frame per block of the input when it
// compresses in parallel, and the cases record how many.
func lz4Frames(data []byte) ([]byte, int, error) {
	var out []byte
	pos, frames := 0, 0
	need := func(n int) error {
		if pos+n > len(data) {
			return fmt.Errorf("lz4: truncated at offset %d", pos)
		}
		return nil
	}
	for pos < len(data) {
		if err := need(4); err != nil {
			return nil, frames, err
		}
		magic := uint32(data[pos]) | uint32(data[pos+1])<<8 | uint32(data[pos+2])<<16 | uint32(data[pos+3])<<24
		if magic >= 0x184D2A50 && magic <= 0x184D2A5F {
			if err := need(8); err != nil {
				return nil, frames, err
			}
			pos += 8 + int(le32(data[pos+4:]))
			continue
		}
		if magic != 0x184D2204 {
			return nil, frames, fmt.Errorf("lz4: bad frame magic at offset %d", pos)
		}
		if err := need(7); err != nil {
			return nil, frames, err
		}
		flg := data[pos+4]
		pos += 6 // magic, FLG, BD
		if flg&0x08 != 0 {
			pos += 8 // content size
		}
		if flg&0x01 != 0 {
			pos += 4 // dictionary id
		}
		pos++ // header checksum
		for {
			if err := need(4); err != nil {
				return nil, frames, err
			}
			size := le32(data[pos:])
			pos += 4
			if size == 0 {
				break
			}
			raw := size&0x80000000 != 0
			size &= 0x7FFFFFFF
			if err := need(int(size)); err != nil {
				return nil, frames, err
			}
			block := data[pos : pos+int(size)]
			pos += int(size)
			if flg&0x10 != 0 {
				pos += 4 // block checksum
			}
			if raw {
				out = append(out, block...)
				continue
			}
			var err error
			if out, err = lz4Block(block, out); err != nil {
				return nil, frames, err
			}
		}
		if flg&0x04 != 0 {
			pos += 4 // content checksum
		}
		frames++
	}
	return out, frames, nil
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// lz4Block decodes one LZ4 block onto out, whose earlier bytes are the
// window matches refer to.
func lz4Block(src, out []byte) ([]byte, error) {
	bad := errors.New("lz4: corrupt block")
	i := 0
	length := func(n int) (int, error) {
		if n != 15 {
			return n, nil
		}
		for {
			if i >= len(src) {
				return 0, bad
			}
			b := src[i]
			i++
			n += int(b)
			if b != 255 {
				return n, nil
			}
		}
	}
	for i < len(src) {
		token := src[i]
		i++
		lit, err := length(int(token >> 4))
		if err != nil || i+lit > len(src) {
			return nil, bad
		}
		out = append(out, src[i:i+lit]...)
		i += lit
		if i >= len(src) {
			break
		}
		if i+2 > len(src) {
			return nil, bad
		}
		offset := int(src[i]) | int(src[i+1])<<8
		i += 2
		if offset == 0 || offset > len(out) {
			return nil, errors.New("lz4: bad match offset")
		}
		match, err := length(int(token & 15))
		if err != nil {
			return nil, bad
		}
		match += 4
		start := len(out) - offset
		for k := 0; k < match; k++ { // byte by byte: a match may overlap what it writes
			out = append(out, out[start+k])
		}
	}
	return out, nil
}

// goldenResult is what one run of a case left.
type goldenResult struct {
	exitCode any // an int, or "timeout"
	output   string
	rundir   string
	files    map[string]descriptor
}

// compareGolden lists every difference between a case's expected.json and
// its run, in check.py's order: exit code, missing and unexpected files,
// each file's descriptor, the output, then modes grouped.
func compareGolden(expected map[string]any, result goldenResult) []string {
	var diffs []string
	if want := expected["exit_code"]; fmt.Sprint(want) != fmt.Sprint(result.exitCode) {
		diffs = append(diffs, fmt.Sprintf("exit code %v, expected %v", result.exitCode, want))
	}
	ef := expected["files"].(map[string]any)
	var missing, extra, common []string
	for rel := range ef {
		if _, ok := result.files[rel]; ok {
			common = append(common, rel)
		} else {
			missing = append(missing, rel)
		}
	}
	for rel := range result.files {
		if _, ok := ef[rel]; !ok {
			extra = append(extra, rel)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(common)
	if len(missing) > 0 {
		diffs = append(diffs, "missing files: "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		diffs = append(diffs, "unexpected files: "+strings.Join(extra, ", "))
	}
	type modePair struct{ got, want string }
	modes := map[modePair][]string{}
	for _, rel := range common {
		exp, _ := ef[rel].(map[string]any)
		act := result.files[rel]
		diffs = append(diffs, diffDescriptor(rel, exp, act)...)
		if exp["kind"] == act["kind"] && fmt.Sprint(exp["mode"]) != fmt.Sprint(act["mode"]) {
			p := modePair{fmt.Sprint(act["mode"]), fmt.Sprint(exp["mode"])}
			modes[p] = append(modes[p], rel)
		}
	}
	for _, key := range []string{"stdout_contains", "stdout_absent"} {
		list, _ := expected[key].([]any)
		for _, item := range list {
			s, _ := item.(string)
			found := strings.Contains(result.output, strings.ReplaceAll(s, goldenRunDir, result.rundir))
			if key == "stdout_contains" && !found {
				diffs = append(diffs, fmt.Sprintf("output lacks %q", s))
			}
			if key == "stdout_absent" && found {
				diffs = append(diffs, fmt.Sprintf("output contains %q", s))
			}
		}
	}
	pairs := make([]modePair, 0, len(modes))
	for p := range modes {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i].got+pairs[i].want < pairs[j].got+pairs[j].want
	})
	for _, p := range pairs {
		diffs = append(diffs, fmt.Sprintf("mode %s, expected %s: %s", p.got, p.want, strings.Join(modes[p], ", ")))
	}
	return diffs
}

// diffDescriptor lists the differences between two descriptors of one
// file (modes aside: compareGolden groups those).
func diffDescriptor(rel string, exp, act descriptor) []string {
	exp = jsonShaped(exp).(map[string]any)
	act = jsonShaped(act).(map[string]any)
	if exp["kind"] != act["kind"] {
		extra := ""
		if e, ok := act["error"]; ok {
			extra = fmt.Sprintf(" (%v)", e)
		} else if text, ok := act["text"].(string); ok && act["kind"] == "file" {
			extra = " text=" + short(text, 80)
		}
		return []string{fmt.Sprintf("%s: kind %v, expected %v%s", rel, act["kind"], exp["kind"], extra)}
	}
	var out []string
	switch kind := exp["kind"]; kind {
	case "regex":
		if act["regex"] != exp["regex"] {
			out = append(out, fmt.Sprintf("%s: content %s does not match /%v/", rel, short(act["_text"], 160), exp["regex"]))
		}
	case "file", "compressed":
		if kind == "compressed" && exp["compression"] != act["compression"] {
			out = append(out, fmt.Sprintf("%s: compression %v, expected %v", rel, act["compression"], exp["compression"]))
		}
		if exp["sha256"] != act["sha256"] {
			_, et := exp["text"]
			_, at := act["text"]
			if et || at {
				out = append(out, fmt.Sprintf("%s: content %s, expected %s", rel, short(textOr(act), 160), short(textOr(exp), 160)))
			} else {
				out = append(out, rel+": sha256 differs")
			}
		}
		if f, ok := exp["frames"]; kind == "compressed" && ok && !reflect.DeepEqual(f, act["frames"]) {
			out = append(out, fmt.Sprintf("%s: lz4 frames %v, expected %v", rel, act["frames"], f))
		}
	case "tar", "zip":
		if kind == "tar" && exp["compression"] != act["compression"] {
			out = append(out, fmt.Sprintf("%s: compression %v, expected %v", rel, act["compression"], exp["compression"]))
		}
		em, am := membersByName(exp), membersByName(act)
		en, an := sortedKeys(em), sortedKeys(am)
		if !reflect.DeepEqual(en, an) {
			out = append(out, fmt.Sprintf("%s: members %s, expected %s", rel, short(an, 160), short(en, 160)))
			break
		}
		for _, name := range en {
			e, a := em[name].(map[string]any), am[name].(map[string]any)
			if reflect.DeepEqual(e, a) {
				continue
			}
			keys := map[string]bool{}
			for k := range e {
				keys[k] = true
			}
			for k := range a {
				keys[k] = true
			}
			var bad []string
			for k := range keys {
				if !reflect.DeepEqual(e[k], a[k]) {
					bad = append(bad, k)
				}
			}
			sort.Strings(bad)
			got, want := map[string]any{}, map[string]any{}
			for _, k := range bad {
				got[k], want[k] = a[k], e[k]
			}
			out = append(out, fmt.Sprintf("%s: member %s differs in %s (%s vs expected %s)", rel, name, strings.Join(bad, ","), short(got, 80), short(want, 80)))
		}
	case "manifest":
		if !reflect.DeepEqual(exp["json"], act["json"]) {
			out = append(out, fmt.Sprintf("%s: manifest %s, expected %s", rel, short(act["json"], 300), short(exp["json"], 300)))
		}
	default:
		if !reflect.DeepEqual(public(exp), public(act)) {
			out = append(out, fmt.Sprintf("%s: %s, expected %s", rel, short(public(act), 160), short(public(exp), 160)))
		}
	}
	return out
}

func textOr(d descriptor) any {
	if t, ok := d["text"]; ok {
		return t
	}
	return "<binary>"
}

func membersByName(d descriptor) map[string]any {
	out := map[string]any{}
	list, _ := d["members"].([]any)
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			out[fmt.Sprint(mm["name"])] = mm
		}
	}
	return out
}

// public drops the keys that only explain a difference (_text).
func public(d descriptor) descriptor {
	out := descriptor{}
	for k, v := range d {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

// short shows v as JSON (a string quoted), cut at n characters.
func short(v any, n int) string {
	var s string
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	} else {
		s = pyJSON(jsonShaped(v))
	}
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func TestGoldenNormaliser_lz4FramesAreDecodedAndCounted(t *testing.T) {
	block := []byte{0x35, 'a', 'b', 'c', 0x03, 0x00, 0x10, 'x'} // "abc", a 9-byte match 3 back, "x"
	var data []byte
	data = append(data, 0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0x00, byte(len(block)), 0, 0, 0)
	data = append(data, block...)
	data = append(data, 0, 0, 0, 0)
	data = append(data, 0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 'z', 'z') // a skippable frame
	data = append(data, 0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0x00, 2, 0, 0, 0x80, 'y', 'z', 0, 0, 0, 0)
	out, frames, err := lz4Frames(data)
	if err != nil || string(out) != "abcabcabcabcxyz" || frames != 2 {
		t.Errorf("lz4Frames = %q, %d frames, %v; want \"abcabcabcabcxyz\", 2 frames", out, frames, err)
	}
	d := describeData(data, 0)
	if d["kind"] != "compressed" || d["compression"] != "lz4" || d["frames"] != 2 || d["text"] != "abcabcabcabcxyz" {
		t.Errorf("describeData = %v", d)
	}
	if _, _, err := lz4Frames(data[:len(data)-3]); err == nil {
		t.Error("a truncated frame decoded without an error")
	}
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

func TestGoldenCompare_reportsEachKindOfDifference(t *testing.T) {
	expected := map[string]any{"exit_code": json.Number("0"), "files": map[string]any{
		"gone.txt": map[string]any{"kind": "file", "mode": "0644", "sha256": "x"},
		"a.txt":    map[string]any{"kind": "file", "mode": "0600", "sha256": sha256Hex([]byte("a\n")), "text": "a\n"},
		"b.txt":    map[string]any{"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("b\n")), "text": "b\n"},
	}, "stdout_contains": []any{"--> file: Stored file: a.txt"}, "stdout_absent": []any{"secret"}}
	result := goldenResult{exitCode: 1, output: "a secret", files: map[string]descriptor{
		"a.txt":   {"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("a\n")), "text": "a\n"},
		"b.txt":   {"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("c\n")), "text": "c\n"},
		"new.txt": {"kind": "file", "mode": "0644", "sha256": "y"},
	}}
	got := compareGolden(expected, result)
	want := []string{
		"exit code 1, expected 0",
		"missing files: gone.txt",
		"unexpected files: new.txt",
		`b.txt: content "c\n", expected "b\n"`,
		`output lacks "--> file: Stored file: a.txt"`,
		`output contains "secret"`,
		"mode 0644, expected 0600: a.txt",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compareGolden =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if diffs := compareGolden(map[string]any{"exit_code": json.Number("1"), "files": map[string]any{}}, goldenResult{exitCode: 1, files: map[string]descriptor{}}); len(diffs) != 0 {
		t.Errorf("identical runs differ: %v", diffs)
	}
}
