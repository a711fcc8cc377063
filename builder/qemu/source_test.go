package qemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer/packertest"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestParseChecksum(t *testing.T) {
	digest := sha256Hex([]byte("x"))
	for _, tc := range []struct {
		in      string
		kind    string
		wantErr string
	}{
		{in: "none"},
		{in: "sha256:" + digest, kind: "sha256"},
		{in: strings.ToUpper(digest), kind: "sha256"},
		{in: "d41d8cd98f00b204e9800998ecf8427e", kind: "md5"},
		{in: "file:SHA256SUMS"},
		{in: "sha256:abcd", wantErr: "64 hex digits"},
		{in: "crc32:abcd1234", wantErr: "unknown checksum type"},
		{in: "abcd", wantErr: "md5, sha1, sha256, sha512"},
		{in: "sha256:zz", wantErr: "not hexadecimal"},
		{in: "file:", wantErr: "no checksum file"},
	} {
		sum, err := parseChecksum(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: want an error with %q, got %v", tc.in, tc.wantErr, err)
			}
			continue
		}
		if err != nil || sum.kind != tc.kind {
			t.Errorf("%q: got %+v, %v; want kind %q", tc.in, sum, err, tc.kind)
		}
	}
}

func TestFindDigest_gnuAndBSDStyles(t *testing.T) {
	file := "# comment\n" +
		"1111111111111111111111111111111111111111111111111111111111111111  other.iso\n" +
		"2222222222222222222222222222222222222222222222222222222222222222 *debian.iso\n" +
		"SHA512 (bsd.img) = 33\n"
	for name, want := range map[string]string{
		"debian.iso": "2222222222222222222222222222222222222222222222222222222222222222",
		"bsd.img":    "sha512:33",
	} {
		got, err := findDigest(strings.NewReader(file), name)
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := findDigest(strings.NewReader(file), "missing.iso"); err == nil || !strings.Contains(err.Error(), "missing.iso") {
		t.Errorf("want an error naming the file, got %v", err)
	}
}

func writeSource(t *testing.T, body string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "disk.img")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func TestSource_localPathsAndFileURLsAreUsedInPlaceAndChecked(t *testing.T) {
	dir, p := writeSource(t, "image")
	sums := filepath.Join(dir, "SHA256SUMS")
	os.WriteFile(sums, []byte(sha256Hex([]byte("image"))+"  disk.img\n"), 0o644)
	for _, tc := range []struct{ url, checksum string }{
		{p, "sha256:" + sha256Hex([]byte("image"))},
		{"file://" + p, "file:" + sums},
		{"file://" + p, "file:file://" + sums},
	} {
		s := &source{urls: []string{tc.url}, checksum: testChecksum(t, tc.checksum), extension: "img", ui: &packertest.Ui{}}
		got, err := s.fetch(context.Background())
		if err != nil || got != p {
			t.Errorf("%s with %s: got %q, %v; want %q", tc.url, tc.checksum, got, err, p)
		}
	}
	bad := &source{urls: []string{p}, checksum: testChecksum(t, "sha256:"+sha256Hex([]byte("other"))), extension: "img", ui: &packertest.Ui{}}
	if _, err := bad.fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "iso_checksum wants") {
		t.Errorf("a wrong checksum: want an error, got %v", err)
	}
}

func TestSource_downloadsShowProgressAndFallBackToTheNextURL(t *testing.T) {
	body := strings.Repeat("iso bytes ", 100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/good.iso" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write([]byte(body))
	}))
	defer srv.Close()
	t.Chdir(t.TempDir())
	ui := &packertest.Ui{}
	s := &source{
		urls:     []string{srv.URL + "/missing.iso", srv.URL + "/good.iso"},
		checksum: testChecksum(t, "sha256:"+sha256Hex([]byte(body))), extension: "iso", ui: ui,
	}
	got, err := s.fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(got); string(data) != body {
		t.Fatalf("downloaded %d bytes, want %d", len(data), len(body))
	}
	if !strings.HasPrefix(got, "packer_cache"+string(filepath.Separator)) {
		t.Errorf("want the download in packer_cache, got %s", got)
	}
	lines := strings.Join(ui.Lines(), "\n")
	if !strings.Contains(lines, "missing.iso") || !strings.Contains(lines, "404") {
		t.Errorf("the failed URL is not reported:\n%s", lines)
	}
	if !strings.Contains(lines, "good.iso: [==============================] 100%") {
		t.Errorf("no finished progress bar:\n%s", lines)
	}

	// A second build uses the download again, without fetching.
	srv.Close()
	ui2 := &packertest.Ui{}
	s.ui = ui2
	again, err := s.fetch(context.Background())
	if err != nil || again != got || !strings.Contains(strings.Join(ui2.Lines(), "\n"), "downloaded before") {
		t.Errorf("the cached download was not used: %q, %v\n%s", again, err, ui2.Lines())
	}
}

func TestSource_aDownloadThatFailsItsChecksumIsRemoved(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("tampered")) }))
	defer srv.Close()
	dir := t.TempDir()
	target := filepath.Join(dir, "x.iso")
	s := &source{urls: []string{srv.URL + "/x.iso"}, checksum: testChecksum(t, "sha256:"+sha256Hex([]byte("real"))), targetPath: target, extension: "iso", ui: &packertest.Ui{}}
	if _, err := s.fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "iso_checksum wants") {
		t.Fatalf("want a checksum error, got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the bad download was left behind: %v", entries)
	}
}

func TestProgressWriter_unknownSizeAndPacing(t *testing.T) {
	ui := &packertest.Ui{}
	p := &progressWriter{ui: ui, name: "x.iso", total: -1, every: time.Hour}
	p.Write(make([]byte, 3<<20))
	p.Write(make([]byte, 1<<20))
	p.done()
	if got := ui.Lines(); len(got) != 2 || got[1] != "x.iso: 4.0 MiB" {
		t.Errorf("want one line at the start and one at the end, got %q", got)
	}
}

func testChecksum(t *testing.T, s string) checksum {
	t.Helper()
	sum, err := parseChecksum(s)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
