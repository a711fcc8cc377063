// Package install installs multi-component plugins from catalogs; it is
// apart from package plugin so that plugin binaries do not link an HTTP
// client.
package install

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-version"

	"github.com/packer-classic/packer/plugin"
)

// Installer installs multi-component plugins (packer-plugin-NAME) into a
// plugins directory, several versions side by side:
//
//	DIR/NAME/vX.Y.Z/packer-plugin-NAME
//	DIR/NAME/vX.Y.Z/packer-plugin-NAME_SHA256SUM
//
// from a catalog: a directory or an HTTP(S) URL holding
// packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip files and a SHA256SUMS listing them.
type Installer struct {
	// Dir is the plugins directory (the first of PACKER_PLUGIN_PATH, else
	// ~/.packer.d/plugins).
	Dir string
	// OS and Arch select the build to install; empty means this machine's.
	OS, Arch string
	// Client fetches HTTP catalogs; nil means http.DefaultClient.
	Client *http.Client
}

// archiveName matches a plugin archive's file name,
// packer-plugin-NAME_vVERSION_OS_ARCH.zip. It is compiled on first use:
// every packer process, the built-in components' included, links this
// package, and few of them install anything.
var archiveName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^packer-plugin-([a-z0-9][a-z0-9-]*)_v([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*)_([a-z0-9]+)_([a-z0-9]+)\.zip$`)
})

type catalogEntry struct {
	name, version, os, arch, file, sum string
}

// Install installs from source the highest version of its plugin that
// matches constraint (go-version syntax such as ">= 1.2, < 2.0"; empty
// means any) and is built for this OS and architecture. The archive's
// checksum is verified against the catalog's SHA256SUMS before anything is
// installed, and nothing is left behind when a step fails.
func (in *Installer) Install(ctx context.Context, source, constraint string) (plugin.Installed, error) {
	goos, goarch := in.OS, in.Arch
	if goos == "" {
		goos = runtime.GOOS
	}
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	if strings.HasSuffix(source, ".zip") {
		if info, err := os.Stat(source); err == nil && !info.IsDir() {
			return in.installArchive(ctx, source, goos, goarch)
		}
	}
	sums, err := in.fetch(ctx, source, "SHA256SUMS")
	if err != nil {
		return plugin.Installed{}, fmt.Errorf("catalog %s: cannot read its SHA256SUMS (a catalog lists its archives and their checksums there): %w", source, err)
	}
	entries, err := parseSums(sums)
	sums.Close()
	if err != nil {
		return plugin.Installed{}, fmt.Errorf("catalog %s: SHA256SUMS: %w", source, err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.name] = true
	}
	if len(names) == 0 {
		return plugin.Installed{}, fmt.Errorf("catalog %s lists no packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip archive", source)
	}
	if len(names) > 1 {
		return plugin.Installed{}, fmt.Errorf("catalog %s holds several plugins (%s); give each its own catalog", source, strings.Join(sortedKeys(names), ", "))
	}
	var want version.Constraints
	if constraint != "" {
		if want, err = version.NewConstraint(constraint); err != nil {
			return plugin.Installed{}, fmt.Errorf("version %q: %w", constraint, err)
		}
	}
	var best *catalogEntry
	var bestVersion *version.Version
	var platforms []string
	for i, e := range entries {
		platforms = append(platforms, e.os+"/"+e.arch)
		if e.os != goos || e.arch != goarch {
			continue
		}
		v, err := version.NewVersion(e.version)
		if err != nil || (want != nil && !want.Check(v)) {
			continue
		}
		if bestVersion == nil || v.GreaterThan(bestVersion) {
			best, bestVersion = &entries[i], v
		}
	}
	if best == nil {
		return plugin.Installed{}, fmt.Errorf("catalog %s has no build for %s/%s matching version %q (it has %s)", source, goos, goarch, constraint, strings.Join(dedupe(platforms), ", "))
	}
	return in.installEntry(ctx, source, *best, bestVersion)
}

// installArchive installs one local packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip,
// verified against a SHA256SUMS beside it when there is one.
func (in *Installer) installArchive(ctx context.Context, archive, goos, goarch string) (plugin.Installed, error) {
	m := archiveName().FindStringSubmatch(filepath.Base(archive))
	if m == nil {
		return plugin.Installed{}, fmt.Errorf("%s: an archive to install is named packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip", archive)
	}
	e := catalogEntry{name: m[1], version: m[2], os: m[3], arch: m[4], file: filepath.Base(archive)}
	if e.os != goos || e.arch != goarch {
		return plugin.Installed{}, fmt.Errorf("%s is built for %s/%s, and this is %s/%s", archive, e.os, e.arch, goos, goarch)
	}
	dir := filepath.Dir(archive)
	if sums, err := os.Open(filepath.Join(dir, "SHA256SUMS")); err == nil {
		entries, err := parseSums(sums)
		sums.Close()
		if err != nil {
			return plugin.Installed{}, fmt.Errorf("%s: %w", filepath.Join(dir, "SHA256SUMS"), err)
		}
		for _, listed := range entries {
			if listed.file == e.file {
				e.sum = listed.sum
			}
		}
		if e.sum == "" {
			return plugin.Installed{}, fmt.Errorf("%s is not listed in the SHA256SUMS beside it", archive)
		}
	}
	v, err := version.NewVersion(e.version)
	if err != nil {
		return plugin.Installed{}, err
	}
	return in.installEntry(ctx, dir, e, v)
}

func (in *Installer) installEntry(ctx context.Context, source string, e catalogEntry, v *version.Version) (plugin.Installed, error) {
	dir := filepath.Join(in.Dir, e.name, "v"+v.String())
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return plugin.Installed{}, err
	}
	// Download into a temporary file, hashing as it streams.
	tmp, err := os.CreateTemp(filepath.Dir(dir), ".download-*")
	if err != nil {
		return plugin.Installed{}, err
	}
	defer os.Remove(tmp.Name())
	body, err := in.fetch(ctx, source, e.file)
	if err != nil {
		tmp.Close()
		return plugin.Installed{}, fmt.Errorf("downloading %s: %w", e.file, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), body)
	body.Close()
	tmp.Close()
	if err != nil {
		return plugin.Installed{}, fmt.Errorf("downloading %s: %w (nothing was installed)", e.file, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); e.sum != "" && got != e.sum {
		return plugin.Installed{}, fmt.Errorf("%s from %s has checksum %s but SHA256SUMS says %s: the archive is corrupt or was tampered with; nothing was installed", e.file, source, got, e.sum)
	}

	binary := "packer-plugin-" + e.name
	if e.os == "windows" {
		binary += ".exe"
	}
	staging, err := os.MkdirTemp(filepath.Dir(dir), ".staging-*")
	if err != nil {
		return plugin.Installed{}, err
	}
	defer os.RemoveAll(staging)
	sum, err := extract(tmp.Name(), binary, filepath.Join(staging, binary))
	if err != nil {
		return plugin.Installed{}, fmt.Errorf("%s: %w", e.file, err)
	}
	if err := os.WriteFile(filepath.Join(staging, plugin.ChecksumFileName(binary)), []byte(sum+"\n"), 0o644); err != nil {
		return plugin.Installed{}, err
	}
	os.RemoveAll(dir)
	if err := os.Rename(staging, dir); err != nil {
		return plugin.Installed{}, err
	}
	return plugin.Installed{Name: e.name, Version: v.String(), Path: filepath.Join(dir, binary)}, nil
}

// extract writes the zip entry named binary to dst, executable, and returns
// its sha256.
func extract(archive, binary, dst string) (string, error) {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return "", fmt.Errorf("not a zip archive: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != binary {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return "", err
		}
		defer r.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return "", err
		}
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(out, h), r); err != nil {
			out.Close()
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), out.Close()
	}
	return "", fmt.Errorf("the archive holds no %s", binary)
}

// fetch opens name in the catalog at source: a directory or an HTTP(S) URL.
func (in *Installer) fetch(ctx context.Context, source, name string) (io.ReadCloser, error) {
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(source, "/")+"/"+name, nil)
		if err != nil {
			return nil, err
		}
		client := in.Client
		if client == nil {
			client = http.DefaultClient
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", req.URL, resp.Status)
		}
		if resp.ContentLength >= 0 {
			return &exactBody{r: resp.Body, left: resp.ContentLength}, nil
		}
		return resp.Body, nil
	}
	return os.Open(filepath.Join(source, name))
}

// exactBody fails a body that ends before its announced length, so an
// interrupted download is an error, not a short file.
type exactBody struct {
	r    io.ReadCloser
	left int64
}

func (b *exactBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if errors.Is(err, io.EOF) && b.left > 0 {
		return n, fmt.Errorf("the download stopped %d bytes short: %w", b.left, io.ErrUnexpectedEOF)
	}
	return n, err
}

func (b *exactBody) Close() error { return b.r.Close() }

func parseSums(r io.Reader) ([]catalogEntry, error) {
	var entries []catalogEntry
	scanner := bufio.NewScanner(r)
	for line := 1; scanner.Scan(); line++ {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 || len(fields[0]) != 64 {
			return nil, fmt.Errorf("line %d is not \"SHA256  FILE\"", line)
		}
		file := strings.TrimPrefix(fields[1], "*")
		m := archiveName().FindStringSubmatch(file)
		if m == nil {
			continue // other files may share the catalog
		}
		entries = append(entries, catalogEntry{name: m[1], version: m[2], os: m[3], arch: m[4], file: file, sum: strings.ToLower(fields[0])})
	}
	return entries, scanner.Err()
}

// List returns every installed plugin version, sorted by name and version.
func (in *Installer) List() ([]plugin.Installed, error) {
	var out []plugin.Installed
	plugins, err := os.ReadDir(in.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, p := range plugins {
		if !p.IsDir() {
			continue
		}
		out = append(out, plugin.InstalledVersions(in.Dir, p.Name())...)
	}
	return out, nil
}

// Remove removes version of name, or every version when version is empty,
// and returns what it removed.
func (in *Installer) Remove(name, version string) ([]plugin.Installed, error) {
	var removed []plugin.Installed
	for _, i := range plugin.InstalledVersions(in.Dir, name) {
		if version != "" && i.Version != strings.TrimPrefix(version, "v") {
			continue
		}
		if err := os.RemoveAll(filepath.Dir(i.Path)); err != nil {
			return removed, err
		}
		removed = append(removed, i)
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("plugin %s %s is not installed in %s (see packer plugins installed)", name, version, in.Dir)
	}
	return removed, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Resolve returns the installed version of name to use: exactly version
// exact when it is set (the lock file's choice), else the highest installed
// version matching constraint.
func (in *Installer) Resolve(name, constraint, exact string) (plugin.Installed, error) {
	var want version.Constraints
	if constraint != "" {
		var err error
		if want, err = version.NewConstraint(constraint); err != nil {
			return plugin.Installed{}, fmt.Errorf("version %q: %w", constraint, err)
		}
	}
	versions := plugin.InstalledVersions(in.Dir, name)
	for i := len(versions) - 1; i >= 0; i-- {
		v, _ := version.NewVersion(versions[i].Version)
		if exact != "" && versions[i].Version != strings.TrimPrefix(exact, "v") {
			continue
		}
		if want != nil && !want.Check(v) {
			continue
		}
		return versions[i], nil
	}
	what := constraint
	if exact != "" {
		what = exact + " (the lock file's)"
	}
	return plugin.Installed{}, fmt.Errorf("plugin %s %s is not installed in %s", name, what, in.Dir)
}
