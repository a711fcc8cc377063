package e2e

// How the golden normaliser reads archives and compressed files, lz4
// frames included (see golden_describe_test.go).

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

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
