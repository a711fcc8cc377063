// Package local is a packer.Communicator for this machine: commands run
// with sh -c (cmd /C on Windows), and uploads and downloads are file copies.
// The null builder hands it to provisioners with "communicator": "local".
package local

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"

	"github.com/packer-classic/packer/internal/exitstatus"
	"github.com/packer-classic/packer/internal/procgroup"
	"github.com/packer-classic/packer/packer"
)

// Communicator runs commands and copies files on this machine. Dir, when
// set, is the working directory of commands and the base of relative paths.
type Communicator struct {
	Dir string
	// Env is added to every command's environment.
	Env []string
}

var _ packer.Communicator = (*Communicator)(nil)

func (c *Communicator) path(p string) string {
	if c.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Start runs the command and returns at once; the command's output goes to
// rc's writers as it comes, and rc.SetExited is called with its status
// (128+N for a command killed by signal N) after all of it has been
// written. The command runs in a process group of its own, ended when the
// command exits or ctx is cancelled (see Command).
func (c *Communicator) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	var cmd *procgroup.Cmd
	if runtime.GOOS == "windows" {
		cmd = Command(ctx, "cmd", "/C", rc.Command)
	} else {
		cmd = Command(ctx, "/bin/sh", "-c", rc.Command)
	}
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = rc.Stdin, rc.Stdout, rc.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %q: %w", rc.Command, err)
	}
	go func() {
		cmd.Wait()
		// The command's own status: a writer that failed lost output, but
		// did not change how the command ended.
		rc.SetExited(exitstatus.Of(cmd.ProcessState))
	}()
	return nil
}

// Upload writes src to dst, creating dst's directory; fi, when given, sets
// the file's mode.
func (c *Communicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	dst = c.path(dst)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	mode := fs.FileMode(0o644)
	if fi != nil && *fi != nil {
		mode = (*fi).Mode().Perm()
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	if _, err := io.CopyBuffer(f, src, make([]byte, 256<<10)); err != nil {
		f.Close()
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	if fi != nil && *fi != nil {
		os.Chmod(dst, mode)
	}
	return f.Close()
}

// Download copies src into dst.
func (c *Communicator) Download(src string, dst io.Writer) error {
	f, err := os.Open(c.path(src))
	if err != nil {
		return fmt.Errorf("downloading: %w", err)
	}
	defer f.Close()
	if _, err := io.CopyBuffer(dst, f, make([]byte, 256<<10)); err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	return nil
}

// UploadDir copies the directory src to dst with Packer's trailing-slash
// rule: "src/" copies what is inside src into dst, "src" copies src itself
// into dst/src. Paths matching an exclude pattern are skipped.
func (c *Communicator) UploadDir(dst, src string, exclude []string) error {
	return CopyDir(c.path(dst), src, exclude)
}

// DownloadDir copies the directory src here to dst, with the same rules;
// every write stays inside dst (see DownloadInto).
func (c *Communicator) DownloadDir(src, dst string, exclude []string) error {
	return DownloadInto(dst, slashBase(src), os.DirFS(filepath.Clean(c.path(src))), ".", exclude, true)
}

// Excluded reports whether the relative path rel matches one of an
// UploadDir/DownloadDir exclude patterns, by its whole slash-separated path
// or by its base name. Other communicators use it to agree with this one.
func Excluded(rel string, patterns []string) bool {
	rel = filepath.ToSlash(rel)
	for _, p := range patterns {
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
		if ok, _ := path.Match(p, path.Base(rel)); ok {
			return true
		}
	}
	return false
}
