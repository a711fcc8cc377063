package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

func requireUnix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
}

func TestStart_streamsOutputAndReportsTheExitStatus(t *testing.T) {
	requireUnix(t)
	dir := t.TempDir()
	c := &Communicator{Dir: dir, Env: []string{"FRUIT=pear"}}
	stdoutR, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	stdinR, stdinW := io.Pipe()
	cmd := &packer.RemoteCmd{Command: `echo "first $FRUIT $(basename $PWD)"; read x; echo "got $x"; echo err >&2; exit 4`, Stdin: stdinR, Stdout: stdoutW, Stderr: &stderr}
	if err := c.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdoutR)
	if !lines.Scan() || lines.Text() != "first pear "+filepath.Base(dir) {
		t.Fatalf("first line = %q", lines.Text())
	}
	io.WriteString(stdinW, "apple\n")
	stdinW.Close()
	if !lines.Scan() || lines.Text() != "got apple" {
		t.Fatalf("second line = %q", lines.Text())
	}
	go io.Copy(io.Discard, stdoutR)
	if status := cmd.Wait(); status != 4 {
		t.Errorf("status = %d, want 4", status)
	}
	if stderr.String() != "err\n" {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestStart_cancellingTheContextKillsTheCommand(t *testing.T) {
	requireUnix(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := &packer.RemoteCmd{Command: "exec sleep 1000"}
	if err := (&Communicator{}).Start(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	cancel()
	if status := cmd.Wait(); status == 0 {
		t.Error("a killed command exited 0")
	}
}

func TestUploadDownload_roundTripWithMode(t *testing.T) {
	dir := t.TempDir()
	c := &Communicator{Dir: dir}
	src := filepath.Join(t.TempDir(), "script.sh")
	os.WriteFile(src, []byte("#!/bin/sh\n"), 0o750)
	fi, _ := os.Stat(src)
	if err := c.Upload("sub/script.sh", strings.NewReader("#!/bin/sh\n"), &fi); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "sub", "script.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o750 {
		t.Errorf("mode = %v, want 0750", info.Mode().Perm())
	}
	var out bytes.Buffer
	if err := c.Download("sub/script.sh", &out); err != nil || out.String() != "#!/bin/sh\n" {
		t.Errorf("Download = %q, %v", out.String(), err)
	}
	if err := c.Download("missing", &out); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Download of a missing file = %v", err)
	}
}

func tree(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		if rel != "." {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestUploadDir_followsPackersTrailingSlashRule(t *testing.T) {
	src := filepath.Join(t.TempDir(), "site")
	os.MkdirAll(filepath.Join(src, "css"), 0o755)
	os.WriteFile(filepath.Join(src, "index.html"), []byte("hi"), 0o644)
	os.WriteFile(filepath.Join(src, "css", "a.css"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(src, "notes.tmp"), []byte("x"), 0o644)

	withSlash := t.TempDir()
	if err := (&Communicator{}).UploadDir(withSlash, src+"/", []string{"*.tmp"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tree(t, withSlash), " "); got != "css css/a.css index.html" {
		t.Errorf(`"site/" copied as %q`, got)
	}
	withoutSlash := t.TempDir()
	if err := (&Communicator{}).UploadDir(withoutSlash, src, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tree(t, withoutSlash), " "); got != "site site/css site/css/a.css site/index.html site/notes.tmp" {
		t.Errorf(`"site" copied as %q`, got)
	}
	if err := (&Communicator{}).UploadDir(t.TempDir(), filepath.Join(src, "index.html"), nil); err == nil {
		t.Error("UploadDir of a file succeeded")
	}
}

func TestCommunicator_passesTheConformanceKit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the kit runs POSIX shell commands")
	}
	packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
		return &Communicator{}, t.TempDir()
	})
}

func TestDownloadDir_keepsModesTimesAndSymlinksByTheTrailingSlashRule(t *testing.T) {
	remote := t.TempDir()
	src := filepath.Join(remote, "site")
	os.MkdirAll(filepath.Join(src, "css"), 0o750)
	os.WriteFile(filepath.Join(src, "css", "a.css"), []byte("a"), 0o640)
	os.WriteFile(filepath.Join(src, ".hidden"), []byte("h"), 0o600)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(filepath.Join(src, "css", "a.css"), old, old)
	if err := os.Symlink("css/a.css", filepath.Join(src, "style")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	c := &Communicator{Dir: remote}
	dst := t.TempDir()
	if err := c.DownloadDir("site", dst, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tree(t, dst), " "); got != "site site/.hidden site/css site/css/a.css site/style" {
		t.Errorf(`"site" downloaded as %q`, got)
	}
	flat := t.TempDir()
	if err := c.DownloadDir("site/", flat, []string{".hidden"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tree(t, flat), " "); got != "css css/a.css style" {
		t.Errorf(`"site/" downloaded as %q`, got)
	}
	info, err := os.Stat(filepath.Join(flat, "css", "a.css"))
	if err != nil || !info.ModTime().Equal(old) || runtime.GOOS != "windows" && info.Mode().Perm() != 0o640 {
		t.Errorf("a.css: %v, %v: want mode 0640 and time %v", info.Mode(), err, old)
	}
	if link, _ := os.Readlink(filepath.Join(flat, "style")); link != "css/a.css" {
		t.Errorf("style links to %q", link)
	}
}

func TestDownloadDir_neverWritesThroughASymlinkInTheDestination(t *testing.T) {
	remote, outside := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(remote, "src", "sub"), 0o755)
	os.WriteFile(filepath.Join(remote, "src", "sub", "file.txt"), []byte("payload"), 0o644)
	os.MkdirAll(filepath.Join(remote, "one"), 0o755)
	if err := os.Symlink(outside, filepath.Join(remote, "one", "link")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	os.MkdirAll(filepath.Join(remote, "two", "link"), 0o755)
	os.WriteFile(filepath.Join(remote, "two", "link", "evil.txt"), []byte("payload"), 0o644)
	c := &Communicator{Dir: remote}

	planted := t.TempDir()
	os.Symlink(outside, filepath.Join(planted, "sub"))
	if err := c.DownloadDir("src/", planted, nil); !errors.Is(err, ErrOutsideDestination) || !strings.Contains(err.Error(), planted) {
		t.Errorf("a download into a planted symlink = %v, want ErrOutsideDestination naming the destination", err)
	}

	// The source's absolute symlink is copied as it is; a later download
	// cannot write through it.
	got := t.TempDir()
	if err := c.DownloadDir("one/", got, nil); err != nil {
		t.Fatal(err)
	}
	if link, _ := os.Readlink(filepath.Join(got, "link")); link != outside {
		t.Errorf("link = %q, want %q", link, outside)
	}
	if err := c.DownloadDir("two/", got, nil); !errors.Is(err, ErrOutsideDestination) {
		t.Errorf("a download through a symlink an earlier one made = %v, want ErrOutsideDestination", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("%d entries written outside the destination", len(entries))
	}
}
