package ssh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/packer-classic/packer/communicator/local"
)

// withSFTP runs use with an SFTP client on a session of its own.
func (c *Communicator) withSFTP(use func(*sftp.Client) error) error {
	session, w, r, err := c.transferSession()
	if err != nil {
		return err
	}
	defer session.Close()
	if err := session.RequestSubsystem("sftp"); err != nil {
		return fmt.Errorf("the machine offers no sftp subsystem (%w); set ssh_file_transfer_method to scp", err)
	}
	// Writes go out several at a time; a failed upload leaves a partial
	// file either way.
	client, err := sftp.NewClientPipe(r, w, sftp.UseConcurrentWrites(true))
	if err != nil {
		return fmt.Errorf("starting sftp: %w", err)
	}
	err = use(client)
	client.Close()
	w.Close()
	// The server's sftp-server ends on its input's end, after the session
	// looks done to the client: wait for its exit, so that the next
	// session does not start while it is still going (see overlap.go).
	waitBounded(session.Session, sftpExitWait)
	return err
}

// sftpExitWait bounds the wait for a server's sftp-server to exit.
const sftpExitWait = 10 * time.Second

// waitBounded waits for the session to end, at most d.
func waitBounded(session *ssh.Session, d time.Duration) {
	done := make(chan struct{})
	go func() {
		session.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// sftpUpload writes src to the file dst with exactly mode.
func (c *Communicator) sftpUpload(dst string, src io.Reader, mode fs.FileMode) error {
	return c.withSFTP(func(client *sftp.Client) error { return sftpPut(client, dst, src, mode) })
}

func sftpPut(client *sftp.Client, dst string, src io.Reader, mode fs.FileMode) error {
	f, err := client.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	if _, err := f.ReadFromWithConcurrency(src, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// A new file's mode is subject to the server's umask, an old one's is
	// left as it was: set it.
	return client.Chmod(dst, mode)
}

// sftpDownload writes the content of the file src to dst.
func (c *Communicator) sftpDownload(src string, dst io.Writer) error {
	return c.withSFTP(func(client *sftp.Client) error {
		f, err := client.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.WriteTo(dst)
		return err
	})
}

// sftpUploadDir copies the local directory src, whose information is
// info, to dst by Packer's trailing-slash rule.
func (c *Communicator) sftpUploadDir(dst, src string, info fs.FileInfo, exclude []string) error {
	top := dst
	if !contentsOnly(src) {
		top = path.Join(dst, filepath.Base(filepath.Clean(src)))
	}
	return c.withSFTP(func(client *sftp.Client) error {
		if err := client.MkdirAll(top); err != nil {
			return err
		}
		var dirs []dirMode
		enter := func(dir localEntry) error {
			target := path.Join(top, dir.rel)
			if dir.rel != "" {
				if err := client.Mkdir(target); err != nil {
					if existing, serr := client.Stat(target); serr != nil || !existing.IsDir() {
						return err
					}
				}
			}
			if dir.rel != "" || !contentsOnly(src) {
				dirs = append(dirs, dirMode{target, dir.info.Mode()})
			}
			return nil
		}
		put := func(file localEntry) error {
			f, err := os.Open(file.full)
			if err != nil {
				return err
			}
			defer f.Close()
			return sftpPut(client, path.Join(top, file.rel), f, file.info.Mode().Perm())
		}
		tree := localTree{exclude: exclude, enterDir: enter, leaveDir: func(localEntry) error { return nil }, file: put}
		if err := tree.walk(src, info); err != nil {
			return err
		}
		return setDirModes(dirs, client.Chmod)
	})
}

// sftpDownloadDir copies the directory src on the machine to the local
// directory dst by Packer's trailing-slash rule, following symbolic links
// as scp does.
func (c *Communicator) sftpDownloadDir(src, dst string, exclude []string) error {
	top := dst
	if !contentsOnly(src) {
		top = filepath.Join(dst, path.Base(path.Clean(src)))
	}
	root := path.Clean(src)
	return c.withSFTP(func(client *sftp.Client) error {
		info, err := client.Stat(root)
		if err != nil {
			return err
		}
		if !info.IsDir() {
			return fmt.Errorf("%s is not a directory", src)
		}
		real, err := client.RealPath(root)
		if err != nil {
			return err
		}
		down := &sftpDirReceiver{client: client, exclude: exclude}
		if err := down.dir(root, top, "", info, []string{real}); err != nil {
			return err
		}
		return setDirModes(down.dirs, os.Chmod)
	})
}

type sftpDirReceiver struct {
	client  *sftp.Client
	exclude []string
	dirs    []dirMode
}

// dir copies the directory remote to local; rel is its path below the
// downloaded directory, and chain the real paths of it and the directories
// holding it, to tell a symbolic link loop.
func (d *sftpDirReceiver) dir(remote, target, rel string, info fs.FileInfo, chain []string) error {
	if err := os.MkdirAll(target, 0o700); err != nil {
		return err
	}
	d.dirs = append(d.dirs, dirMode{target, info.Mode()})
	entries, err := d.client.ReadDir(remote)
	if err != nil {
		return err
	}
	for _, e := range entries {
		childRel := path.Join(rel, e.Name())
		if local.Excluded(childRel, d.exclude) {
			continue
		}
		child, childTarget := path.Join(remote, e.Name()), filepath.Join(target, e.Name())
		real := path.Join(chain[len(chain)-1], e.Name())
		if e.Mode()&fs.ModeSymlink != 0 {
			if e, err = d.client.Stat(child); err != nil {
				return err
			}
			if e.IsDir() {
				if real, err = d.client.RealPath(child); err != nil {
					return err
				}
				if slices.Contains(chain, real) {
					return fmt.Errorf("%s: a symbolic link loop (it leads back to a directory that holds it)", child)
				}
			}
		}
		switch {
		case e.IsDir():
			err = d.dir(child, childTarget, childRel, e, append(chain, real))
		case e.Mode().IsRegular():
			err = sftpGet(d.client, child, childTarget, e.Mode().Perm())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func sftpGet(client *sftp.Client, src, target string, mode fs.FileMode) error {
	in, err := client.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeLocalFile(target, mode, func(out io.Writer) error {
		_, err := in.WriteTo(out)
		return err
	})
}

// dirMode is a copied directory and the mode it gets once its contents are
// in place (a read-only directory could not receive them).
type dirMode struct {
	path string
	mode fs.FileMode
}

func setDirModes(dirs []dirMode, chmod func(string, fs.FileMode) error) error {
	for _, d := range slices.Backward(dirs) {
		if err := chmod(d.path, d.mode.Perm()); err != nil {
			return err
		}
	}
	return nil
}
