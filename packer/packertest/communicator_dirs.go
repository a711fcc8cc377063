package packertest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// kitTree is the local directory tree the directory rules upload: path to
// content and mode (a trailing slash marks a directory).
var kitTree = []struct {
	path    string
	content string
	mode    fs.FileMode
}{
	{"a.txt", "alpha\n", 0o644},
	{"run.sh", "#!/bin/sh\necho run\n", 0o755},
	{"skip.log", "left out by *.log\n", 0o644},
	{"sub/", "", 0o755},
	{"sub/b.txt", "bravo\n", 0o600},
	{"sub/deep/", "", 0o755},
	{"sub/deep/c.txt", "charlie\n", 0o644},
}

func writeKitTree(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	for _, e := range append([]struct {
		path    string
		content string
		mode    fs.FileMode
	}{{"", "", 0o755}}, kitTree...) {
		p := filepath.Join(src, filepath.FromSlash(strings.TrimSuffix(e.path, "/")))
		if e.path == "" || strings.HasSuffix(e.path, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(e.content), e.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, e.mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	return src
}

// checkTree reports how the local tree at dir differs from kitTree without
// the entries left out; rule says what was being checked.
func checkTree(t *testing.T, dir, rule string, leftOut ...string) {
	t.Helper()
	for _, e := range kitTree {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(e.path, "/")))
		excluded := slices.ContainsFunc(leftOut, func(prefix string) bool { return strings.HasPrefix(e.path, prefix) })
		info, err := os.Lstat(p)
		if excluded {
			if err == nil {
				t.Errorf("%s: %s is there, but it matches an exclude pattern", rule, e.path)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %s is missing", rule, e.path)
			continue
		}
		if strings.HasSuffix(e.path, "/") {
			if !info.IsDir() {
				t.Errorf("%s: %s is not a directory", rule, e.path)
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil || string(data) != e.content {
			t.Errorf("%s: %s holds %q, want %q", rule, e.path, data, e.content)
		}
		if info.Mode().Perm() != e.mode {
			t.Errorf("%s: %s has mode %v, want %v: modes are kept", rule, e.path, info.Mode().Perm(), e.mode)
		}
	}
}

func (k *commKit) dirs(t *testing.T) {
	src := writeKitTree(t)
	d := k.subdir(t, "dirs")
	for _, sub := range []string{"contents", "itself", "excluded"} {
		k.mustShell(t, "mkdir -p '"+d+"/"+sub+"'")
	}

	// "src/" copies what is inside src into dst.
	if err := k.comm.UploadDir(d+"/contents", src+"/", nil); err != nil {
		t.Fatalf("UploadDir(%q, src/): %v", d+"/contents", err)
	}
	if got := k.mustShell(t, "cat '"+d+"/contents/sub/deep/c.txt'"); got != "charlie\n" {
		t.Errorf("UploadDir with src/ did not put src's contents in dst (sub/deep/c.txt holds %q)", got)
	}
	local := filepath.Join(t.TempDir(), "contents")
	os.MkdirAll(local, 0o755)
	if err := k.comm.DownloadDir(d+"/contents/", local, nil); err != nil {
		t.Fatalf("DownloadDir(%q, ...): %v", d+"/contents/", err)
	}
	checkTree(t, local, "UploadDir then DownloadDir, both with a trailing slash")

	// "src" without the slash makes dst/src.
	if err := k.comm.UploadDir(d+"/itself", src, nil); err != nil {
		t.Fatalf("UploadDir(%q, src): %v", d+"/itself", err)
	}
	if got := k.mustShell(t, "cat '"+d+"/itself/src/a.txt'"); got != "alpha\n" {
		t.Errorf("UploadDir with src (no slash) did not make dst/src (dst/src/a.txt holds %q)", got)
	}
	parent := t.TempDir()
	if err := k.comm.DownloadDir(d+"/contents", parent, nil); err != nil {
		t.Fatalf("DownloadDir(%q, ...): %v", d+"/contents", err)
	}
	checkTree(t, filepath.Join(parent, "contents"), "DownloadDir without a trailing slash makes dst/src")

	// Excludes, by base name and by relative path.
	if err := k.comm.UploadDir(d+"/excluded", src+"/", []string{"*.log", "sub/deep"}); err != nil {
		t.Fatalf("UploadDir with excludes: %v", err)
	}
	back := filepath.Join(t.TempDir(), "excluded")
	os.MkdirAll(back, 0o755)
	if err := k.comm.DownloadDir(d+"/excluded/", back, nil); err != nil {
		t.Fatal(err)
	}
	checkTree(t, back, `UploadDir excluding "*.log" and "sub/deep"`, "skip.log", "sub/deep")
	down := filepath.Join(t.TempDir(), "down")
	os.MkdirAll(down, 0o755)
	if err := k.comm.DownloadDir(d+"/contents/", down, []string{"*.log", "sub/deep"}); err != nil {
		t.Fatal(err)
	}
	checkTree(t, down, `DownloadDir excluding "*.log" and "sub/deep"`, "skip.log", "sub/deep")
}
