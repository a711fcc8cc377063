package ssh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/packer-classic/packer/communicator/local"
)

// localEntry is a file or directory in a local tree being uploaded.
type localEntry struct {
	full string // its local path
	rel  string // its slash-separated path below the tree's top ("" for the top)
	name string
	info fs.FileInfo
}

// localTree walks a local directory for UploadDir in a stable order,
// following symbolic links as scp does and leaving out the paths that match
// exclude (by local.Excluded, as every communicator does). Entries that are
// neither directories nor regular files (sockets, devices) are skipped.
type localTree struct {
	exclude  []string
	enterDir func(localEntry) error
	leaveDir func(localEntry) error
	file     func(localEntry) error
}

// walk walks the directory src, whose information is info.
func (t *localTree) walk(src string, info fs.FileInfo) error {
	root := filepath.Clean(src)
	return t.dir(localEntry{full: root, name: filepath.Base(root), info: info}, nil)
}

func (t *localTree) dir(d localEntry, ancestors []fs.FileInfo) error {
	for _, a := range ancestors {
		if os.SameFile(a, d.info) {
			return fmt.Errorf("%s: a symbolic link loop (it leads back to a directory that holds it)", d.full)
		}
	}
	if err := t.enterDir(d); err != nil {
		return err
	}
	entries, err := os.ReadDir(d.full)
	if err != nil {
		return err
	}
	for _, e := range entries {
		child := localEntry{full: filepath.Join(d.full, e.Name()), rel: path.Join(d.rel, e.Name()), name: e.Name()}
		if local.Excluded(child.rel, t.exclude) {
			continue
		}
		if child.info, err = os.Stat(child.full); err != nil {
			return err
		}
		switch {
		case child.info.IsDir():
			err = t.dir(child, append(ancestors, d.info))
		case child.info.Mode().IsRegular():
			err = t.file(child)
		}
		if err != nil {
			return err
		}
	}
	return t.leaveDir(d)
}

// writeLocalFile creates or truncates the local file target, has write
// fill it, and gives it exactly mode (which the umask would not).
func writeLocalFile(target string, mode fs.FileMode, write func(io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
