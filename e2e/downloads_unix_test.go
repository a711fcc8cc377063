//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mkfiles makes each file under root with its content, and each symlink
// (a value starting with "->") pointing where it says.
func mkfiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, path)
		} else {
			err = os.WriteFile(path, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// assertEmpty fails if dir, which a download must not reach, holds anything.
func assertEmpty(t *testing.T, dir string, r packerRun) {
	t.Helper()
	if left := filesIn(t, dir); len(left) > 0 {
		t.Errorf("a download wrote %q into %s, outside its destination\n%v", left, dir, r)
	}
}

// TestE2E_aDownloadCannotWriteOutsideItsDestination runs the file
// provisioner's downloads into destinations that symlinks lead out of:
// every write must stay inside, however the symlink got there.
func TestE2E_aDownloadCannotWriteOutsideItsDestination(t *testing.T) {
	for _, tc := range []struct {
		name string
		// remote is the machine's files, local the working directory's
		// before the build; OUTSIDE in a link's target is the directory
		// nothing may reach.
		remote, local map[string]string
		builder       string
		provisioners  string
	}{
		{
			name:         "a directory download into a planted symlink",
			remote:       map[string]string{"src/sub/file.txt": "payload"},
			local:        map[string]string{"got/sub": "->OUTSIDE"},
			builder:      `{"type": "null", "communicator": "local"}`,
			provisioners: `{"type": "file", "direction": "download", "source": "REMOTE/src/", "destination": "got"}`,
		},
		{
			name:    "a later download through an absolute symlink an earlier one recreated",
			remote:  map[string]string{"one/link": "->OUTSIDE", "two/link/evil.txt": "payload"},
			builder: `{"type": "null", "communicator": "local"}`,
			provisioners: `{"type": "file", "direction": "download", "source": "REMOTE/one/", "destination": "got"},
				{"type": "file", "direction": "download", "source": "REMOTE/two/", "destination": "got"}`,
		},
		{
			// The file provisioner checks the destination again just
			// before it runs (see the next test for a link planted later).
			name:    "a file download through a symlink an earlier step made",
			remote:  map[string]string{"f.txt": "payload"},
			builder: `{"type": "null", "communicator": "local"}`,
			provisioners: `{"type": "shell-local", "inline": ["ln -s OUTSIDE out"]},
				{"type": "file", "direction": "download", "source": "REMOTE/f.txt", "destination": "out/f.txt"}`,
		},
		{
			name:         "a directory download from a rootfs tree into a planted symlink",
			remote:       map[string]string{"src/sub/file.txt": "payload"},
			local:        map[string]string{"got/sub": "->OUTSIDE"},
			builder:      `{"type": "rootfs", "source": "REMOTE", "output_directory": "out"}`,
			provisioners: `{"type": "file", "direction": "download", "source": "/src/", "destination": "got"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			remote, outside := t.TempDir(), t.TempDir()
			fill := func(files map[string]string) map[string]string {
				out := map[string]string{}
				for k, v := range files {
					out[k] = strings.ReplaceAll(v, "OUTSIDE", outside)
				}
				return out
			}
			mkfiles(t, remote, fill(tc.remote))
			mkfiles(t, e.dir, fill(tc.local))
			tpl := e.writeFile("t.json", `{"builders": [`+strings.ReplaceAll(tc.builder, "REMOTE", remote)+`],
				"provisioners": [`+strings.ReplaceAll(strings.ReplaceAll(tc.provisioners, "REMOTE", remote), "OUTSIDE", outside)+`]}`)
			r := e.run("build", tpl)
			if r.code != 1 {
				t.Errorf("want exit 1: the download must be refused\n%v", r)
			}
			mustContain(t, r, "stderr", "outside")
			assertEmpty(t, outside, r)
		})
	}
}

// TestE2E_aSymlinkPlantedDuringADownloadCannotRedirectTheNextFile holds the
// first of two downloads into "out/" on a FIFO, swaps "out" for a symlink
// leading outside meanwhile, then lets it finish: the second file must not
// follow the symlink, though every check before the download passed.
func TestE2E_aSymlinkPlantedDuringADownloadCannotRedirectTheNextFile(t *testing.T) {
	e := newEnv(t)
	remote, outside := t.TempDir(), t.TempDir()
	fifo := filepath.Join(remote, "a.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	mkfiles(t, remote, map[string]string{"b.txt": "payload"})
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "local"}],
		"provisioners": [{"type": "file", "direction": "download", "sources": [`+jsonString(fifo)+`, `+jsonString(filepath.Join(remote, "b.txt"))+`], "destination": "out/"}]}`)
	run := e.startBuffered("build", tpl)
	// Opening the FIFO to write returns once the download opened it to read.
	opened := make(chan *os.File, 1)
	go func() {
		w, _ := os.OpenFile(fifo, os.O_WRONLY, 0)
		opened <- w
	}()
	var w *os.File
	select {
	case w = <-opened:
	case err := <-run.exited:
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer r.Close() // lets the opening goroutine end
		}
		t.Fatalf("packer ended (%v) before the download started\n%v", err, run.result(err))
	}
	out := filepath.Join(e.dir, "out")
	if err := os.Rename(out, out+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, out); err != nil {
		t.Fatal(err)
	}
	w.WriteString("first file")
	w.Close()
	err := <-run.exited
	r := run.result(err)
	if err == nil {
		t.Errorf("want the second download refused\n%v", r)
	}
	mustContain(t, r, "stderr", "outside")
	assertEmpty(t, outside, r)
}
