package install

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// catalog builds a catalog directory: one zip per (version, os/arch), each
// holding a packer-plugin-NAME "binary", and a SHA256SUMS.
func catalog(t *testing.T, name string, builds map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	var sums strings.Builder
	for v, platforms := range builds {
		for _, platform := range platforms {
			goos, goarch, _ := strings.Cut(platform, "/")
			binary := "packer-plugin-" + name
			if goos == "windows" {
				binary += ".exe"
			}
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create(binary)
			fmt.Fprintf(w, "#!/bin/sh\necho %s %s\n", name, v)
			zw.Close()
			file := fmt.Sprintf("packer-plugin-%s_v%s_%s_%s.zip", name, v, goos, goarch)
			os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644)
			sum := sha256.Sum256(buf.Bytes())
			fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), file)
		}
	}
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums.String()), 0o644)
	return dir
}

func here() string { return runtime.GOOS + "/" + runtime.GOARCH }

// serve serves dir over HTTP on loopback.
func serve(t *testing.T, handler http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInstall_fromAnHTTPCatalogPicksTheHighestMatchingVersion(t *testing.T) {
	cat := catalog(t, "duo", map[string][]string{"1.2.0": {here(), "plan9/386"}, "1.10.1": {here()}, "2.0.0": {here()}})
	url := serve(t, http.FileServer(http.Dir(cat)))
	in := &Installer{Dir: t.TempDir()}
	got, err := in.Install(context.Background(), url, ">= 1.2, < 2.0")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "duo" || got.Version != "1.10.1" || got.Path != filepath.Join(in.Dir, "duo", "v1.10.1", filepath.Base(got.Path)) {
		t.Errorf("installed %+v", got)
	}
	if err := plugin.VerifyInstalled(got.Path); err != nil {
		t.Errorf("fresh install does not verify: %v", err)
	}
	if _, err := in.Install(context.Background(), cat, "1.2.0"); err != nil {
		t.Fatalf("from a directory: %v", err)
	}
	list, _ := in.List()
	if len(list) != 2 || list[0].Version != "1.2.0" || list[1].Version != "1.10.1" {
		t.Errorf("installed versions side by side: %+v", list)
	}
	// Discovery finds the newest installed version in the plugin dir.
	f, err := plugin.Discovery{PluginDirs: []string{in.Dir}}.Find(packer.KindBuilder, "duo")
	if err != nil || f.Path != got.Path || f.Component != plugin.DefaultName {
		t.Errorf("Find = %+v, %v", f, err)
	}
	// A changed binary is refused, saying what to do.
	os.WriteFile(got.Path, []byte("#!/bin/sh\necho evil\n"), 0o755)
	if _, err := (plugin.Discovery{PluginDirs: []string{in.Dir}}).Find(packer.KindBuilder, "duo"); err == nil || !strings.Contains(err.Error(), "changed since it was installed") {
		t.Errorf("tampered binary: %v", err)
	}
	removed, err := in.Remove("duo", "")
	if err != nil || len(removed) != 2 {
		t.Errorf("Remove = %v, %v", removed, err)
	}
}

func TestInstall_refusesWhatItCannotTrust(t *testing.T) {
	in := &Installer{Dir: t.TempDir()}
	// A bad checksum.
	bad := catalog(t, "duo", map[string][]string{"1.0.0": {here()}})
	zipName := fmt.Sprintf("packer-plugin-duo_v1.0.0_%s_%s.zip", runtime.GOOS, runtime.GOARCH)
	f, _ := os.OpenFile(filepath.Join(bad, zipName), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("tampered")
	f.Close()
	if _, err := in.Install(context.Background(), bad, ""); err == nil || !strings.Contains(err.Error(), "but SHA256SUMS says") {
		t.Errorf("bad checksum: %v", err)
	}
	// No SHA256SUMS.
	noSums := catalog(t, "duo", map[string][]string{"1.0.0": {here()}})
	os.Remove(filepath.Join(noSums, "SHA256SUMS"))
	if _, err := in.Install(context.Background(), noSums, ""); err == nil || !strings.Contains(err.Error(), "cannot read its SHA256SUMS") {
		t.Errorf("missing SHA256SUMS: %v", err)
	}
	// Only other platforms.
	other := catalog(t, "duo", map[string][]string{"1.0.0": {"plan9/386"}})
	if _, err := in.Install(context.Background(), other, ""); err == nil || !strings.Contains(err.Error(), "has no build for "+here()) || !strings.Contains(err.Error(), "plan9/386") {
		t.Errorf("wrong platform: %v", err)
	}
	if list, _ := in.List(); len(list) != 0 {
		t.Errorf("failed installs left %+v", list)
	}
}

func TestInstall_anInterruptedDownloadLeavesNoPartialFile(t *testing.T) {
	cat := catalog(t, "duo", map[string][]string{"1.0.0": {here()}})
	files := http.FileServer(http.Dir(cat))
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".zip") {
			// Promise 1 MB, send a few bytes, and hang up.
			w.Header().Set("Content-Length", "1048576")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("PK\x03\x04 partial"))
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, _ := hj.Hijack()
				conn.Close()
			}
			return
		}
		files.ServeHTTP(w, r)
	}))
	in := &Installer{Dir: t.TempDir()}
	if _, err := in.Install(context.Background(), url, ""); err == nil || !strings.Contains(err.Error(), "nothing was installed") {
		t.Fatalf("interrupted download: %v", err)
	}
	var left []string
	filepath.Walk(in.Dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("an interrupted download left %v", left)
	}
}

func TestInstall_aLocalArchiveWithOrWithoutSHA256SUMS(t *testing.T) {
	cat := catalog(t, "duo", map[string][]string{"1.0.0": {here()}})
	archive := filepath.Join(cat, fmt.Sprintf("packer-plugin-duo_v1.0.0_%s_%s.zip", runtime.GOOS, runtime.GOARCH))
	in := &Installer{Dir: t.TempDir()}
	if got, err := in.Install(context.Background(), archive, ""); err != nil || got.Version != "1.0.0" {
		t.Fatalf("Install = %+v, %v", got, err)
	}
	// Beside a SHA256SUMS that does not match, it is refused.
	f, _ := os.OpenFile(archive, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("x")
	f.Close()
	if _, err := in.Install(context.Background(), archive, ""); err == nil || !strings.Contains(err.Error(), "but SHA256SUMS says") {
		t.Errorf("tampered archive: %v", err)
	}
	os.Remove(filepath.Join(cat, "SHA256SUMS"))
	os.WriteFile(archive, []byte("not a zip at all"), 0o644)
	if _, err := in.Install(context.Background(), archive, ""); err == nil || !strings.Contains(err.Error(), "not a zip") {
		t.Errorf("a corrupt archive without SHA256SUMS: %v", err)
	}
	wrong := filepath.Join(t.TempDir(), "packer-plugin-duo_v1.0.0_plan9_386.zip")
	os.WriteFile(wrong, nil, 0o644)
	if _, err := in.Install(context.Background(), wrong, ""); err == nil || !strings.Contains(err.Error(), "built for plan9/386") {
		t.Errorf("wrong platform archive: %v", err)
	}
}
