package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// BGZF (the SAM/BAM specification, section 4.1) is a series of gzip
// members, each holding at most 64 KiB of compressed data and naming its
// own size in a "BC" extra subfield, closed by an empty member. Each block
// is compressed by klauspost's gzip on one of the workers; the blocks are
// written in order as they finish.
const (
	// bgzfBlockData is the most input one block takes: samtools' choice,
	// small enough that even incompressible data (stored, with deflate's
	// few bytes of framing) fits the 64 KiB block with its header.
	bgzfBlockData = 0xff00
	bgzfMaxBlock  = 1 << 16
	// bgzfSizeOffset is where a block's size less one sits: after gzip's
	// 10-byte header, XLEN (2), and the subfield's 'B', 'C' and SLEN (4).
	bgzfSizeOffset = 16
)

// bgzfEOF is the empty block that ends every BGZF file; readers check for
// these exact bytes to tell a complete file from a truncated one.
var bgzfEOF = []byte{
	0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 'B', 'C', 0x02, 0,
	0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
}

type bgzfBlock struct {
	data []byte
	out  bytes.Buffer
	err  error
	done chan struct{}
}

// bgzfWriter keeps at most 2×workers blocks in flight, so its memory is
// bounded whatever it is given.
type bgzfWriter struct {
	dst     io.Writer
	level   int
	current *bgzfBlock
	pending []*bgzfBlock // submitted, in output order
	free    []*bgzfBlock
	jobs    chan *bgzfBlock
	workers sync.WaitGroup
	inline  *bgzfCompressor // for a single worker: no goroutines
	err     error
	closed  bool
}

func newBGZFWriter(dst io.Writer, level, concurrency int) (*bgzfWriter, error) {
	if _, err := gzip.NewWriterLevel(io.Discard, level); err != nil {
		return nil, fmt.Errorf("bgzf: %w", err)
	}
	w := &bgzfWriter{dst: dst, level: level}
	if concurrency <= 1 {
		w.inline = &bgzfCompressor{level: level}
		return w, nil
	}
	w.jobs = make(chan *bgzfBlock, 2*concurrency)
	for range concurrency {
		w.workers.Add(1)
		go func() {
			defer w.workers.Done()
			c := &bgzfCompressor{level: level}
			for b := range w.jobs {
				b.err = c.compress(b)
				close(b.done)
			}
		}()
	}
	return w, nil
}

func (w *bgzfWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("bgzf: write after close")
	}
	written := 0
	for len(p) > 0 && w.err == nil {
		if w.current == nil {
			w.current = w.newBlock()
		}
		n := min(len(p), bgzfBlockData-len(w.current.data))
		w.current.data = append(w.current.data, p[:n]...)
		p, written = p[n:], written+n
		if len(w.current.data) == bgzfBlockData {
			w.submit()
		}
	}
	return written, w.err
}

func (w *bgzfWriter) newBlock() *bgzfBlock {
	if n := len(w.free); n > 0 {
		b := w.free[n-1]
		w.free = w.free[:n-1]
		b.data, b.err = b.data[:0], nil
		b.out.Reset()
		return b
	}
	return &bgzfBlock{data: make([]byte, 0, bgzfBlockData)}
}

// submit hands the current block on, first writing out the oldest when
// enough are in flight.
func (w *bgzfWriter) submit() {
	b := w.current
	w.current = nil
	if w.inline != nil {
		if err := w.inline.compress(b); err != nil {
			w.err = err
			return
		}
		w.emit(b)
		return
	}
	if len(w.pending) == cap(w.jobs) {
		w.writeOldest()
	}
	b.done = make(chan struct{})
	w.pending = append(w.pending, b)
	w.jobs <- b // never blocks: at most cap(jobs) are pending
}

func (w *bgzfWriter) writeOldest() {
	b := w.pending[0]
	w.pending = w.pending[1:]
	<-b.done
	if b.err != nil && w.err == nil {
		w.err = b.err
	}
	w.emit(b)
}

func (w *bgzfWriter) emit(b *bgzfBlock) {
	if w.err == nil {
		_, w.err = w.dst.Write(b.out.Bytes())
	}
	w.free = append(w.free, b)
}

// Close writes what is left and the end-of-file block, and stops the
// workers, whatever went wrong before.
func (w *bgzfWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.current != nil && len(w.current.data) > 0 && w.err == nil {
		w.submit()
	}
	for len(w.pending) > 0 {
		w.writeOldest()
	}
	if w.jobs != nil {
		close(w.jobs)
		w.workers.Wait()
	}
	if w.err == nil {
		_, w.err = w.dst.Write(bgzfEOF)
	}
	return w.err
}

// bgzfCompressor is one worker's gzip writers, reused block after block.
type bgzfCompressor struct {
	level  int
	gz     *gzip.Writer
	stored *gzip.Writer
}

func (c *bgzfCompressor) compress(b *bgzfBlock) error {
	if c.gz == nil {
		c.gz, _ = gzip.NewWriterLevel(nil, c.level) // the level was checked
	}
	if err := gzipMember(c.gz, b); err != nil {
		return err
	}
	if b.out.Len() > bgzfMaxBlock {
		// Cannot happen with deflate's stored fallback; kept so that a
		// block is never written too large to be read.
		if c.stored == nil {
			c.stored, _ = gzip.NewWriterLevel(nil, gzip.NoCompression)
		}
		if err := gzipMember(c.stored, b); err != nil {
			return err
		}
	}
	binary.LittleEndian.PutUint16(b.out.Bytes()[bgzfSizeOffset:], uint16(b.out.Len()-1))
	return nil
}

// gzipMember writes b.data as one gzip member with the BC subfield (its size
// is filled in afterwards).
func gzipMember(gz *gzip.Writer, b *bgzfBlock) error {
	b.out.Reset()
	gz.Reset(&b.out)
	gz.Extra = []byte{'B', 'C', 2, 0, 0, 0}
	gz.ModTime = time.Unix(0, 0) // MTIME 0, as BGZF writers leave it
	if _, err := gz.Write(b.data); err != nil {
		return fmt.Errorf("bgzf: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("bgzf: %w", err)
	}
	return nil
}
