package ssh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// forEachTransfer runs test once with scp and once with sftp, each against
// a communicator connected to its own sshd. The sshd runs on this machine,
// so the test checks the machine's files directly.
func forEachTransfer(t *testing.T, test func(t *testing.T, comm *Communicator)) {
	for _, method := range []string{TransferSCP, TransferSFTP} {
		t.Run(method, func(t *testing.T) {
			comm, _ := newComm(t, func(c *Config) { c.FileTransferMethod = method })
			test(t, comm)
		})
	}
}

func TestUploadTruncatesAndSetsTheMode(t *testing.T) {
	forEachTransfer(t, func(t *testing.T, comm *Communicator) {
		dir := t.TempDir()
		dst := filepath.Join(dir, "f")
		if err := os.WriteFile(dst, []byte("a much longer old content"), 0o777); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dst, 0o777)
		// Without a FileInfo the file gets 0644, though it had another
		// mode; a reader that cannot seek is taken too.
		if err := comm.Upload(dst, io.MultiReader(strings.NewReader("new")), nil); err != nil {
			t.Fatal(err)
		}
		checkFile(t, dst, "new", 0o644)

		src := filepath.Join(t.TempDir(), "script")
		if err := os.WriteFile(src, []byte("#!/bin/sh\n"), 0o777); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []fs.FileMode{0o755, 0o600, 0o777, 0o640} {
			os.Chmod(src, mode)
			fi, err := os.Stat(src)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			// Once onto a file that exists, once onto a new one.
			for _, dst := range []string{filepath.Join(dir, "script"), filepath.Join(dir, fmt.Sprintf("new-%o", mode))} {
				f.Seek(0, io.SeekStart)
				if err := comm.Upload(dst, f, &fi); err != nil {
					t.Fatal(err)
				}
				checkFile(t, dst, "#!/bin/sh\n", mode)
			}
			f.Close()
		}
	})
}

func TestTransferErrorsNameThePath(t *testing.T) {
	forEachTransfer(t, func(t *testing.T, comm *Communicator) {
		missing := filepath.Join(t.TempDir(), "no-such-file")
		err := comm.Download(missing, io.Discard)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("Download of a missing file: %v", err)
		}
		intoNothing := filepath.Join(t.TempDir(), "no-such-dir", "f")
		err = comm.Upload(intoNothing, strings.NewReader("x"), nil)
		if err == nil || !strings.Contains(err.Error(), intoNothing) {
			t.Errorf("Upload into a missing directory: %v", err)
		}
		err = comm.DownloadDir(missing, t.TempDir(), nil)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("DownloadDir of a missing directory: %v", err)
		}
		err = comm.UploadDir(t.TempDir(), missing, nil)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("UploadDir of a missing directory: %v", err)
		}
	})
}

// makeTree writes a directory with files of several modes, a nested
// directory and things to exclude, and returns it.
func makeTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "src")
	for path, mode := range map[string]fs.FileMode{
		"a.txt":              0o640,
		"skip.log":           0o644,
		"sub/run.sh":         0o755,
		"sub/deep/secret":    0o600,
		"sub/tmp/scratch":    0o644,
		"sub/deep/notes.log": 0o644,
		"other/tmp/kept":     0o644,
	} {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("content of "+path), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(full, mode)
	}
	os.Chmod(filepath.Join(root, "sub"), 0o750)
	os.Chmod(filepath.Join(root, "sub", "deep"), 0o700)
	os.Chmod(root, 0o711)
	return root
}

// treeExcludes leaves out *.log files by base name and sub/tmp by its path.
var treeExcludes = []string{"*.log", "sub/tmp"}

// wantTree is makeTree's tree once treeExcludes are left out.
var wantTree = []string{
	"a.txt 640 content of a.txt",
	"other 755",
	"other/tmp 755",
	"other/tmp/kept 644 content of other/tmp/kept",
	"sub 750",
	"sub/deep 700",
	"sub/deep/secret 600 content of sub/deep/secret",
	"sub/run.sh 755 content of sub/run.sh",
}

// listTree describes every path below root: its mode and, for a file, its
// content.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var list []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		line := fmt.Sprintf("%s %o", filepath.ToSlash(rel), info.Mode().Perm())
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += " " + string(data)
		}
		list = append(list, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(list)
	return list
}

func checkTree(t *testing.T, root string, want []string) {
	t.Helper()
	got := listTree(t, root)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s holds:\n%s\nwant:\n%s", root, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDirectoryCopiesFollowTheTrailingSlashRule(t *testing.T) {
	forEachTransfer(t, func(t *testing.T, comm *Communicator) {
		for name, copyDir := range map[string]func(src, dst string) error{
			"UploadDir":   func(src, dst string) error { return comm.UploadDir(dst, src, treeExcludes) },
			"DownloadDir": func(src, dst string) error { return comm.DownloadDir(src, dst, treeExcludes) },
		} {
			src := makeTree(t)
			contents := filepath.Join(t.TempDir(), "contents")
			if err := copyDir(src+"/", contents); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkTree(t, contents, wantTree)

			itself := t.TempDir()
			if err := copyDir(src, itself); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := []string{"src 711"}
			for _, line := range wantTree {
				want = append(want, "src/"+line)
			}
			checkTree(t, itself, want)
		}
	})
}

func TestDirectoryCopiesFollowSymbolicLinks(t *testing.T) {
	forEachTransfer(t, func(t *testing.T, comm *Communicator) {
		src := t.TempDir()
		os.WriteFile(filepath.Join(src, "target"), []byte("pointed at"), 0o644)
		os.Symlink("target", filepath.Join(src, "link"))
		os.Mkdir(filepath.Join(src, "dir"), 0o755)
		os.WriteFile(filepath.Join(src, "dir", "inside"), []byte("in"), 0o600)
		os.Symlink("dir", filepath.Join(src, "dirlink"))
		want := []string{"dir 755", "dir/inside 600 in", "dirlink 755", "dirlink/inside 600 in",
			"link 644 pointed at", "target 644 pointed at"}
		up := t.TempDir()
		if err := comm.UploadDir(up, src+"/", nil); err != nil {
			t.Fatal(err)
		}
		checkTree(t, up, want)
		down := t.TempDir()
		if err := comm.DownloadDir(src+"/", down, nil); err != nil {
			t.Fatal(err)
		}
		checkTree(t, down, want)
	})
}

func TestUploadDirRefusesASymbolicLinkLoop(t *testing.T) {
	forEachTransfer(t, func(t *testing.T, comm *Communicator) {
		src := t.TempDir()
		os.Symlink(".", filepath.Join(src, "loop"))
		err := comm.UploadDir(t.TempDir(), src+"/", nil)
		if err == nil || !strings.Contains(err.Error(), "symbolic link loop") {
			t.Errorf("a link loop: %v", err)
		}
	})
}

func checkFile(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != content || info.Mode().Perm() != mode {
		t.Errorf("%s: %q with mode %o, want %q with mode %o", path, data, info.Mode().Perm(), content, mode)
	}
}
