package ssh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"golang.org/x/crypto/ssh"
)

// transferSession opens a session for moving files and returns it with
// its standard input and output. Transfers have no context of their own:
// Close ends a reconnect they wait for.
func (c *Communicator) transferSession() (*transfer, io.WriteCloser, io.Reader, error) {
	session, _, release, err := c.session(c.life)
	if err != nil {
		return nil, nil, nil, err
	}
	t := &transfer{Session: session, release: release}
	w, err := session.StdinPipe()
	if err != nil {
		t.Close()
		return nil, nil, nil, err
	}
	r, err := session.StdoutPipe()
	if err != nil {
		t.Close()
		return nil, nil, nil, err
	}
	return t, w, r, nil
}

// transfer is a session that moves files; Close gives its connection back.
type transfer struct {
	*ssh.Session
	once    sync.Once
	release func()
}

func (t *transfer) Close() error {
	err := t.Session.Close()
	t.once.Do(t.release)
	return err
}

// Upload writes everything read from src to the file dst on the machine,
// creating or truncating it, with the permission bits of fi when given
// (else 0644), by ssh_file_transfer_method.
func (c *Communicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	mode := fs.FileMode(0o644)
	if fi != nil && *fi != nil {
		mode = (*fi).Mode().Perm()
	}
	upload := c.scpUpload
	if c.cfg.FileTransferMethod == TransferSFTP {
		upload = c.sftpUpload
	}
	if err := upload(dst, src, mode); err != nil {
		return fmt.Errorf("uploading to %s: %w", dst, err)
	}
	return nil
}

// Download writes the content of the file src on the machine to dst.
func (c *Communicator) Download(src string, dst io.Writer) error {
	download := c.scpDownload
	if c.cfg.FileTransferMethod == TransferSFTP {
		download = c.sftpDownload
	}
	if err := download(src, dst); err != nil {
		return fmt.Errorf("downloading %s: %w", src, err)
	}
	return nil
}

// UploadDir copies the local directory src to dst on the machine, creating
// dst: "src/" copies what src holds into dst, "src" makes dst/src. Modes
// are kept, symbolic links followed, and paths matching an exclude pattern
// (by their path below src or their base name) left out.
func (c *Communicator) UploadDir(dst, src string, exclude []string) error {
	info, err := os.Stat(src)
	if err == nil && !info.IsDir() {
		err = fmt.Errorf("%s is not a directory", src)
	}
	if err == nil {
		upload := c.scpUploadDir
		if c.cfg.FileTransferMethod == TransferSFTP {
			upload = c.sftpUploadDir
		}
		err = upload(dst, src, info, exclude)
	}
	if err != nil {
		return fmt.Errorf("uploading directory %s to %s: %w", src, dst, err)
	}
	return nil
}

// DownloadDir copies the directory src on the machine to the local
// directory dst, by the same rules as UploadDir.
func (c *Communicator) DownloadDir(src, dst string, exclude []string) error {
	download := c.scpDownloadDir
	if c.cfg.FileTransferMethod == TransferSFTP {
		download = c.sftpDownloadDir
	}
	if err := download(src, dst, exclude); err != nil {
		return fmt.Errorf("downloading directory %s to %s: %w", src, dst, err)
	}
	return nil
}
