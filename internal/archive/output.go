package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/packer-classic/packer/packer"
)

// File is an archive being written to a file: a Writer whose Close also
// puts the file in place. Until then the archive sits under a temporary
// name beside its path, so a reader never sees half an archive and a
// failure leaves nothing behind.
type File struct {
	*Writer
	key, path, tmp string
	file           *os.File
	finished       bool
}

// Create starts an archive of format f at path, a component's output named
// by key in errors (the configuration key, "output"). The file and its
// missing parents are made through packer.OpenOutput and
// packer.MkdirOutput, so a relative path is confined to the working
// directory; the file gets Options.Perm less the umask, as os.Create gives.
// The caller must Close (to keep the archive) or Abort (to drop it).
func Create(key, path string, f Format, o Options) (*File, error) {
	if err := packer.CheckOutputPath(key, path); err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	dir := filepath.Dir(path)
	if dir != "." {
		if err := packer.MkdirOutput(key, dir, 0o755); err != nil {
			return nil, err
		}
	}
	perm := o.Perm
	if perm == 0 {
		perm = 0o666
	}
	out := &File{key: key, path: path}
	for range 100 {
		out.tmp = filepath.Join(dir, "."+filepath.Base(path)+".part"+strconv.FormatUint(rand.Uint64(), 36))
		file, err := packer.OpenOutput(key, out.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.file = file
		break
	}
	if out.file == nil {
		return nil, fmt.Errorf("%s: could not find a free temporary name beside %s", key, path)
	}
	w, err := NewWriter(out.file, f, o)
	if err != nil {
		out.file.Close()
		packer.RemoveOutput(key, out.tmp)
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	out.Writer = w
	return out, nil
}

// Close finishes the archive and renames it into place, replacing any file
// there. When anything fails, the temporary file is removed and the error
// names the archive.
func (f *File) Close() error {
	if f.finished {
		return errors.New(f.key + ": " + f.path + " is already closed")
	}
	f.finished = true
	err := f.Writer.Close()
	if err == nil {
		err = f.file.Sync()
	}
	if cerr := f.file.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = packer.RenameOutput(f.key, f.tmp, f.path)
	}
	if err != nil {
		packer.RemoveOutput(f.key, f.tmp)
		return fmt.Errorf("%s: writing %s: %w", f.key, f.path, err)
	}
	return nil
}

// Abort drops the archive: it stops the compressor and removes the
// temporary file; what was at the path before stays. After Close it does
// nothing, so `defer f.Abort()` is safe.
func (f *File) Abort() {
	if f.finished {
		return
	}
	f.finished = true
	f.Writer.abort()
	f.file.Close()
	packer.RemoveOutput(f.key, f.tmp)
}
