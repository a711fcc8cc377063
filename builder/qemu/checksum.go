package qemu

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"
)

// checksum is a parsed iso_checksum: nothing to check, an expected digest,
// or a checksum file to find the digest in.
type checksum struct {
	none bool
	kind string // md5, sha1, sha256, sha512
	hex  string // lower case
	file string // the checksum file's path or URL, for "file:"
}

// digestLengths maps a hex digest's length to its kind, as Packer guesses
// the kind of a bare digest.
var digestLengths = map[int]string{32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}

func parseChecksum(s string) (checksum, error) {
	switch {
	case s == "none":
		return checksum{none: true}, nil
	case strings.HasPrefix(s, "file:"):
		rest := strings.TrimPrefix(s, "file:")
		if rest == "" {
			return checksum{}, fmt.Errorf("%q names no checksum file", s)
		}
		return checksum{file: rest}, nil
	}
	kind, digest, found := strings.Cut(s, ":")
	if !found {
		kind, digest = "", s
	}
	digest = strings.ToLower(digest)
	if _, err := hex.DecodeString(digest); err != nil || digest == "" {
		return checksum{}, fmt.Errorf("%q: the digest is not hexadecimal", s)
	}
	want, known := digestLengths[len(digest)]
	if kind == "" {
		if !known {
			return checksum{}, fmt.Errorf("%q: a digest of %d hex digits is none of md5, sha1, sha256, sha512; write TYPE:HEX", s, len(digest))
		}
		kind = want
	}
	if newHash(kind) == nil {
		return checksum{}, fmt.Errorf("%q: unknown checksum type %q; use md5, sha1, sha256 or sha512", s, kind)
	}
	if want != kind {
		return checksum{}, fmt.Errorf("%q: a %s digest has %d hex digits, not %d", s, kind, 2*newHash(kind).Size(), len(digest))
	}
	return checksum{kind: kind, hex: digest}, nil
}

func newHash(kind string) hash.Hash {
	switch kind {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// resolve turns a "file:" checksum into the digest the file gives for the
// source named sourceURL; other checksums are returned as they are.
func (c checksum) resolve(ctx context.Context, sourceURL string, fetch func(context.Context, string) (io.ReadCloser, error)) (checksum, error) {
	if c.file == "" {
		return c, nil
	}
	r, err := fetch(ctx, c.file)
	if err != nil {
		return checksum{}, fmt.Errorf("iso_checksum: reading the checksum file: %w", err)
	}
	defer r.Close()
	name := path.Base(strings.TrimSuffix(strings.ReplaceAll(sourceURL, `\`, "/"), "/"))
	digest, err := findDigest(r, name)
	if err != nil {
		return checksum{}, fmt.Errorf("iso_checksum: %s: %w", c.file, err)
	}
	return parseChecksum(digest)
}

// findDigest reads a checksum file in GNU style ("HEX  NAME", "HEX *NAME")
// or BSD style ("SHA256 (NAME) = HEX") and returns the digest for name, as
// TYPE:HEX for BSD lines and bare HEX otherwise.
func findDigest(r io.Reader, name string) (string, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if open := strings.Index(line, " ("); open > 0 && strings.Contains(line, ") = ") {
			kind := strings.ToLower(line[:open])
			file, digest, _ := strings.Cut(line[open+2:], ") = ")
			if path.Base(file) == name {
				return kind + ":" + strings.TrimSpace(digest), nil
			}
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		file := strings.TrimPrefix(strings.Join(fields[1:], " "), "*")
		if path.Base(strings.TrimPrefix(file, "./")) == name {
			return fields[0], nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no line names %s", name)
}

// verify checks the file at p against c (which must be resolved).
func (c checksum) verify(p string) error {
	if c.none {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := newHash(c.kind)
	if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != c.hex {
		return fmt.Errorf("%s: %s is %s, but iso_checksum wants %s", p, c.kind, got, c.hex)
	}
	return nil
}
