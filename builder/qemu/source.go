package qemu

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
)

// source finds the ISO or disk image: the first of urls that can be had and
// whose checksum matches. Local paths and file:// URLs are used in place;
// http(s) URLs are downloaded to targetPath (default under the cache
// directory), and a download already there that matches the checksum is
// used again. The returned path is local.
type source struct {
	urls       []string
	checksum   checksum
	targetPath string // iso_target_path, or "" for the default
	extension  string // of the default target: "iso" or "img"
	ui         packer.Ui
	client     *http.Client
}

func (s *source) fetch(ctx context.Context) (string, error) {
	var errs *multierror.Error
	for _, u := range s.urls {
		p, err := s.fetchOne(ctx, u)
		if err == nil {
			return p, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		errs = multierror.Append(errs, fmt.Errorf("%s: %w", u, err))
		if len(s.urls) > 1 {
			s.ui.Error(fmt.Sprintf("Cannot use %s: %v", u, err))
		}
	}
	return "", fmt.Errorf("iso_url: no source could be used: %w", errs.ErrorOrNil())
}

func (s *source) fetchOne(ctx context.Context, u string) (string, error) {
	sum, err := s.checksum.resolve(ctx, u, s.open)
	if err != nil {
		return "", err
	}
	if local, ok := localPath(u); ok {
		if _, err := os.Stat(local); err != nil {
			return "", err
		}
		if !sum.none {
			s.ui.Say(fmt.Sprintf("Verifying the %s checksum of %s", sum.kind, local))
		}
		return local, sum.verify(local)
	}
	target := s.targetPath
	if target == "" {
		target = s.defaultTarget(u)
	}
	if !sum.none {
		if _, err := os.Stat(target); err == nil {
			if sum.verify(target) == nil {
				s.ui.Say(fmt.Sprintf("Using %s, downloaded before from %s", target, u))
				return target, nil
			}
		}
	}
	if err := s.download(ctx, u, target); err != nil {
		return "", err
	}
	if err := sum.verify(target); err != nil {
		os.Remove(target)
		return "", err
	}
	return target, nil
}

// defaultTarget is where a download of u is kept: Packer's cache directory
// (PACKER_CACHE_DIR, default packer_cache), under the SHA-1 of the URL.
func (s *source) defaultTarget(u string) string {
	dir := os.Getenv("PACKER_CACHE_DIR")
	if dir == "" {
		dir = "packer_cache"
	}
	sum := sha1.Sum([]byte(u))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+"."+s.extension)
}

// localPath returns the file a local path or file:// URL names.
func localPath(u string) (string, bool) {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme == "" || len(parsed.Scheme) == 1 { // C:\... is a path
		return u, true
	}
	if parsed.Scheme == "file" {
		p := parsed.Path
		if parsed.Host != "" && parsed.Host != "localhost" {
			p = "//" + parsed.Host + p
		}
		if p == "" {
			p = parsed.Opaque // file:relative/path
		}
		return filepath.FromSlash(p), true
	}
	return "", false
}

// open reads a local file or an http(s) URL, for checksum files.
func (s *source) open(ctx context.Context, u string) (io.ReadCloser, error) {
	if local, ok := localPath(u); ok {
		return os.Open(local)
	}
	resp, err := s.get(ctx, u)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (s *source) get(ctx context.Context, u string) (*http.Response, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" {
		return nil, fmt.Errorf("unsupported URL scheme %q; use a local path, file://, http:// or https://", parsed.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	client := s.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return resp, nil
}

// download writes u to target, through target.part renamed when complete,
// showing its progress.
func (s *source) download(ctx context.Context, u, target string) (err error) {
	resp, err := s.get(ctx, u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if dir := filepath.Dir(target); dir != "." {
		if err := packer.MkdirOutput("iso_target_path", dir, 0o755); err != nil {
			return err
		}
	}
	part := target + ".part"
	f, err := packer.OpenOutput("iso_target_path", part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(part)
		}
	}()
	s.ui.Say(fmt.Sprintf("Downloading %s to %s", u, target))
	progress := &progressWriter{ui: s.ui, name: path.Base(u), total: resp.ContentLength, every: time.Second}
	if _, err := io.CopyBuffer(io.MultiWriter(f, progress), resp.Body, make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("downloading: %w", err)
	}
	progress.done()
	if resp.ContentLength >= 0 && progress.written != resp.ContentLength {
		return fmt.Errorf("downloading: got %d bytes of %d", progress.written, resp.ContentLength)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(part, target)
}

// progressWriter counts what is written and shows it as a progress line at
// most once per interval, and once at the end.
type progressWriter struct {
	ui      packer.Ui
	name    string
	total   int64 // -1 when unknown
	every   time.Duration
	written int64
	shown   time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.written += int64(len(b))
	if now := time.Now(); now.Sub(p.shown) >= p.every {
		p.shown = now
		p.ui.Message(p.line())
	}
	return len(b), nil
}

func (p *progressWriter) done() { p.ui.Message(p.line()) }

func (p *progressWriter) line() string {
	const mib = 1 << 20
	if p.total <= 0 {
		return fmt.Sprintf("%s: %.1f MiB", p.name, float64(p.written)/mib)
	}
	width := 30
	filled := int(int64(width) * p.written / p.total)
	return fmt.Sprintf("%s: [%s%s] %3d%% %.1f/%.1f MiB", p.name, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		100*p.written/p.total, float64(p.written)/mib, float64(p.total)/mib)
}
