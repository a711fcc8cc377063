package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer/packertest"
)

func provision(t *testing.T, remote string, config map[string]any) error {
	t.Helper()
	p := new(Provisioner)
	if err := p.Prepare(config); err != nil {
		return err
	}
	return p.Provision(context.Background(), &packertest.Ui{}, &local.Communicator{Dir: remote})
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFile_uploadsFilesIntoADirectoryDestination(t *testing.T) {
	local, remote := t.TempDir(), t.TempDir()
	a, b := filepath.Join(local, "a.txt"), filepath.Join(local, "b.txt")
	os.WriteFile(a, []byte("A"), 0o644)
	os.WriteFile(b, []byte("B"), 0o644)
	if err := provision(t, remote, map[string]any{"sources": []any{a, b}, "destination": "etc/"}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(remote, "etc", "a.txt")) != "A" || read(t, filepath.Join(remote, "etc", "b.txt")) != "B" {
		t.Error("files did not land in etc/")
	}
	if err := provision(t, remote, map[string]any{"source": a, "destination": "renamed.txt"}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(remote, "renamed.txt")) != "A" {
		t.Error("a destination without a slash is the file's new name")
	}
}

func TestFile_directoriesFollowTheTrailingSlashRule(t *testing.T) {
	local, remote := t.TempDir(), t.TempDir()
	site := filepath.Join(local, "site")
	os.MkdirAll(site, 0o755)
	os.WriteFile(filepath.Join(site, "index.html"), []byte("hi"), 0o644)
	if err := provision(t, remote, map[string]any{"source": site, "destination": "www"}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(remote, "www", "site", "index.html")) != "hi" {
		t.Error(`"site" did not copy the directory itself`)
	}
	if err := provision(t, remote, map[string]any{"source": site + "/", "destination": "flat"}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(remote, "flat", "index.html")) != "hi" {
		t.Error(`"site/" did not copy the directory's contents`)
	}
}

func TestFile_downloadsAndUploadsContent(t *testing.T) {
	local, remote := t.TempDir(), t.TempDir()
	if err := provision(t, remote, map[string]any{"content": "from the template", "destination": "motd"}); err != nil {
		t.Fatal(err)
	}
	if err := provision(t, remote, map[string]any{"source": "motd", "destination": local + "/", "direction": "download"}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(local, "motd")) != "from the template" {
		t.Error("download did not bring the file back")
	}
	err := provision(t, remote, map[string]any{"source": "missing", "destination": filepath.Join(local, "x"), "direction": "download"})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("download of a missing file = %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(local, "x")); !os.IsNotExist(statErr) {
		t.Error("a failed download left a partial file")
	}
}

func TestFile_prepareNamesEveryProblem(t *testing.T) {
	for want, raw := range map[string]map[string]any{
		"source, sources or content: one must be set": {"destination": "x"},
		"destination: required":                       {"content": "x"},
		`direction: "sideways"`:                       {"content": "x", "destination": "y", "direction": "sideways"},
		`"generated": true`:                           {"source": "/no/such", "destination": "y"},
		"must be a directory ending in":               {"sources": []any{"a", "b"}, "destination": "y", "generated": true},
	} {
		if err := new(Provisioner).Prepare(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Prepare(%v) = %v, want %q", raw, err, want)
		}
	}
	if err := new(Provisioner).Prepare(map[string]any{"source": "/made/later", "destination": "y", "generated": true}); err != nil {
		t.Errorf("generated source: %v", err)
	}
}

func TestFile_aDownloadIsConfinedWhenItWritesNotOnlyWhenPrepared(t *testing.T) {
	remote, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(remote, "f.txt"), []byte("payload"), 0o644)
	t.Chdir(t.TempDir())
	p := new(Provisioner)
	if err := p.Prepare(map[string]any{"source": "f.txt", "destination": "out/f.txt", "direction": "download"}); err != nil {
		t.Fatal(err)
	}
	// Made after Prepare checked the destination.
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	err := p.Provision(context.Background(), &packertest.Ui{}, &local.Communicator{Dir: remote})
	if err == nil || !strings.Contains(err.Error(), "destination") {
		t.Errorf("Provision = %v, want the destination refused", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("the download wrote %d entries outside the working directory", len(entries))
	}
}
