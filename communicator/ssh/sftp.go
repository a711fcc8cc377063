package ssh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/pkg/sftp"

	"github.com/packer-classic/packer/communicator/local"
)

// withSFTP runs use with an SFTP client on a session of its own.
func (c *Communicator) withSFTP(use func(*sftp.Client) error) error {
	session, _, err := c.session(c.life)
	if err != nil {
		return err
	}
	defer session.Close()
	w, err := session.StdinPipe()
	if err != nil {
		return err
	}
	r, err := session.StdoutPipe()
	if err != nil {
		return err
	}
	if err := session.RequestSubsystem("sftp"); err != nil {
		return fmt.Errorf("the machine offers no sftp subsystem (%w); set ssh_file_transfer_method to scp", err)
	}
	// Writes go out several at a time; a failed upload leaves a partial
	// file either way.
	client, err := sftp.NewClientPipe(r, w, sftp.UseConcurrentWrites(true))
	if err != nil {
		return fmt.Errorf("starting sftp: %w", err)
	}
	defer client.Close()
	return use(client)
}

// sftpUpload writes src to the file dst with exactly mode.
func (c *Communicator) sftpUpload(dst string, src io.Reader, mode fs.FileMode) error {
	err := c.withSFTP(func(client *sftp.Client) error { return sftpPut(client, dst, src, mode) })
	if err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	return nil
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
	err := c.withSFTP(func(client *sftp.Client) error {
		f, err := client.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.WriteTo(dst)
		return err
	})
	if err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	return nil
}

// sftpUploadDir copies the local directory src to dst by Packer's
// trailing-slash rule.
func (c *Communicator) sftpUploadDir(dst, src string, exclude []string) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("uploading directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("uploading directory: %s is not a directory", src)
	}
	top := dst
	if !contentsOnly(src) {
		top = path.Join(dst, filepath.Base(filepath.Clean(src)))
	}
	err = c.withSFTP(func(client *sftp.Client) error {
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
	if err != nil {
		return fmt.Errorf("uploading directory %s to %s: %w", src, dst, err)
	}
	return nil
}

// sftpDownloadDir copies the directory src on the machine to the local
// directory dst by Packer's trailing-slash rule.
func (c *Communicator) sftpDownloadDir(src, dst string, exclude []string) error {
	top := dst
	if !contentsOnly(src) {
		top = filepath.Join(dst, path.Base(path.Clean(src)))
	}
	root := path.Clean(src)
	err := c.withSFTP(func(client *sftp.Client) error {
		var dirs []dirMode
		walker := client.Walk(root)
		for walker.Step() {
			if err := walker.Err(); err != nil {
				return err
			}
			info := walker.Stat()
			rel := ""
			if walker.Path() != root {
				rel = walker.Path()[len(root)+1:]
				if local.Excluded(rel, exclude) {
					if info.IsDir() {
						walker.SkipDir()
					}
					continue
				}
			} else if !info.IsDir() {
				return fmt.Errorf("%s is not a directory", src)
			}
			target := filepath.Join(top, filepath.FromSlash(rel))
			switch {
			case info.IsDir():
				if err := os.MkdirAll(target, 0o700); err != nil {
					return err
				}
				dirs = append(dirs, dirMode{target, info.Mode()})
			case info.Mode().IsRegular():
				if err := sftpGet(client, walker.Path(), target, info.Mode().Perm()); err != nil {
					return err
				}
			}
		}
		return setDirModes(dirs, os.Chmod)
	})
	if err != nil {
		return fmt.Errorf("downloading directory %s to %s: %w", src, dst, err)
	}
	return nil
}

func sftpGet(client *sftp.Client, src, target string, mode fs.FileMode) error {
	in, err := client.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := in.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
