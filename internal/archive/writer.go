package archive

import (
	"archive/tar"
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/klauspost/compress/flate"
)

// Options tune how an archive is written. The zero value writes with each
// compression's default level, on every core, a file mode of 0666 less
// the umask, owners by name and id, and tar headers in the smallest format
// that holds each.
type Options struct {
	// Level is 1 (fastest) to MaxLevel (smallest), or 0 for the default;
	// see NewCompressor. For a zip it is the members' deflate level.
	Level int
	// Concurrency bounds the cores a parallel compression uses; 0 means
	// every core.
	Concurrency int
	// Perm is the archive file's mode before the umask (Create only).
	Perm fs.FileMode
	// TarFormat forces a tar header format: tar.FormatGNU is what
	// Google Compute Engine's image import requires. Zero lets each header
	// take the smallest format that holds it.
	TarFormat tar.Format
	// NumericOwners leaves the owner and group names out of tar headers,
	// keeping the ids: a root filesystem's names are those of its own
	// /etc/passwd, not this machine's.
	NumericOwners bool
}

// ErrOneFile is returned when a second file is added to a Single format,
// which holds one.
var ErrOneFile = errors.New("this format holds one file")

// copyBuffer is how much of a file is read at a time; the context is
// checked between reads.
const copyBuffer = 1 << 20

// Writer writes one archive to a stream. It is not safe for concurrent
// use.
type Writer struct {
	format Format
	opts   Options
	comp   io.WriteCloser
	tar    *tar.Writer
	zip    *zip.Writer
	added  int
	buf    []byte
	closed bool
}

// NewWriter starts an archive of format f on w. Close finishes the archive
// (and stops the compressor's goroutines) but does not close w.
func NewWriter(w io.Writer, f Format, o Options) (*Writer, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	comp, err := NewCompressor(w, f.Compression, o.Level, o.Concurrency)
	if err != nil {
		return nil, err
	}
	aw := &Writer{format: f, opts: o, comp: comp}
	switch f.Container {
	case Tar:
		aw.tar = tar.NewWriter(comp)
	case Zip:
		aw.zip = zip.NewWriter(comp)
		level := gzipLevel(o.Level)
		aw.zip.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, level)
		})
	}
	return aw, nil
}

// AddFile adds the file at path under name: its content, and in a tar its
// mode, owner and modification time (in a zip, mode and time). A symlink is
// followed, so the archive holds what it points to, under the link's name.
// A directory or a special file is refused: AddTree archives those. In a
// Single format the file's content is the whole archive, and a second file
// is ErrOneFile.
func (w *Writer) AddFile(ctx context.Context, name, path string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.format.Container == Single && w.added > 0 {
		return fmt.Errorf("adding %s: %w", path, ErrOneFile)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is a %s, not a regular file", path, kindOf(info.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil { // what was opened, if it moved
		return err
	}
	w.added++
	switch w.format.Container {
	case Single:
		if err := w.stream(ctx, w.comp, f, path, info.Size()); err != nil {
			return err
		}
	case Zip:
		dst, err := w.zipHeader(name, info)
		if err != nil {
			return err
		}
		if err := w.stream(ctx, dst, f, path, info.Size()); err != nil {
			return err
		}
	case Tar:
		if err := w.tarHeader(name, info, ""); err != nil {
			return err
		}
		if err := w.stream(ctx, w.tar, f, path, info.Size()); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) usable() error {
	if w.closed {
		return errors.New("the archive is already closed")
	}
	return nil
}

// tarHeader writes the header of a member named name described by info
// (link is a symlink's target).
func (w *Writer) tarHeader(name string, info fs.FileInfo, link string) error {
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	hdr.Name = name
	w.tuneTarHeader(hdr)
	if err := w.tar.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// tuneTarHeader applies the options: times to the second and access and
// change times dropped (they differ between two runs on the same files),
// the header format, owner names.
func (w *Writer) tuneTarHeader(hdr *tar.Header) {
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Format = w.opts.TarFormat
	if w.opts.NumericOwners {
		hdr.Uname, hdr.Gname = "", ""
	}
}

func (w *Writer) zipHeader(name string, info fs.FileInfo) (io.Writer, error) {
	hdr, err := zip.FileInfoHeader(info)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	hdr.Name = name
	if info.Mode().IsRegular() {
		hdr.Method = zip.Deflate
	}
	dst, err := w.zip.CreateHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return dst, nil
}

// stream copies size bytes of src (the file at path) to dst. A file that
// shrinks or grows while it is read is an error rather than a member whose
// header lies about it.
func (w *Writer) stream(ctx context.Context, dst io.Writer, src io.Reader, path string, size int64) error {
	if w.buf == nil {
		w.buf = make([]byte, copyBuffer)
	}
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := src.Read(w.buf)
		if n > 0 {
			if done+int64(n) > size && w.format.Container != Single {
				return fmt.Errorf("%s grew while it was archived (from %d bytes)", path, size)
			}
			if _, err := dst.Write(w.buf[:n]); err != nil {
				return fmt.Errorf("archiving %s: %w", path, err)
			}
			done += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("reading %s: %w", path, rerr)
		}
	}
	if done < size && w.format.Container != Single {
		return fmt.Errorf("%s shrank while it was archived (from %d to %d bytes)", path, size, done)
	}
	return nil
}

// Close finishes the archive: the tar or zip trailer, then the compressed
// stream. A Single format closed with no file holds an empty stream.
func (w *Writer) Close() error {
	if err := w.usable(); err != nil {
		return err
	}
	w.closed = true
	var err error
	switch {
	case w.tar != nil:
		err = w.tar.Close()
	case w.zip != nil:
		err = w.zip.Close()
	}
	if cerr := w.comp.Close(); err == nil {
		err = cerr
	}
	return err
}

// abort stops the compressor without finishing the archive.
func (w *Writer) abort() {
	if !w.closed {
		w.closed = true
		w.comp.Close()
	}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
