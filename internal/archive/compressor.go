package archive

import (
	stdbzip2 "compress/bzip2"
	"fmt"
	"io"
	"runtime"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// MaxLevel is the highest compression level: levels run from 1 (fastest)
// to MaxLevel (smallest), and 0 asks for each compression's own default.
const MaxLevel = 9

// NewCompressor returns a writer that compresses what is written to it with
// c into w; Close flushes it (and stops its goroutines) but does not close
// w. level is 0 (the compression's default) or 1 to MaxLevel; xz has no
// levels and ignores it. concurrency bounds the cores a parallel
// compression uses; 0 means every core (GOMAXPROCS).
func NewCompressor(w io.Writer, c Compression, level, concurrency int) (io.WriteCloser, error) {
	if level < 0 || level > MaxLevel {
		return nil, fmt.Errorf("compression level %d is not between 1 and %d (or 0 for the default)", level, MaxLevel)
	}
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	switch c {
	case NoCompression:
		return nopCloser{w}, nil
	case Gzip:
		gz, err := pgzip.NewWriterLevel(w, gzipLevel(level))
		if err != nil {
			return nil, err
		}
		// pgzip's own default block size (1 MiB), one block per core.
		if err := gz.SetConcurrency(1<<20, concurrency); err != nil {
			return nil, err
		}
		return gz, nil
	case BGZF:
		return newBGZFWriter(w, gzipLevel(level), concurrency)
	case LZ4:
		lw := lz4.NewWriter(w)
		lzLevel := lz4.Fast
		if level > 0 {
			// lz4.Level1 to Level9 are 1<<9 to 1<<17.
			lzLevel = lz4.CompressionLevel(1 << (8 + level))
		}
		if err := lw.Apply(lz4.ConcurrencyOption(concurrency), lz4.CompressionLevelOption(lzLevel)); err != nil {
			return nil, err
		}
		return lw, nil
	case XZ:
		return xz.NewWriter(w)
	case Bzip2:
		return bzip2.NewWriter(w, &bzip2.WriterConfig{Level: level}) // 0 is its default, 6
	case Zstd:
		opts := []zstd.EOption{zstd.WithEncoderConcurrency(concurrency)}
		if level > 0 {
			opts = append(opts, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(zstdLevel(level))))
		}
		return zstd.NewWriter(w, opts...)
	}
	return nil, fmt.Errorf("unknown compression %q (use one of %s)", c, joinCompressions())
}

// gzipLevel maps level 0 onto gzip's default.
func gzipLevel(level int) int {
	if level == 0 {
		return pgzip.DefaultCompression
	}
	return level
}

// zstdLevel maps 1-9 onto zstd's 1-19, so that 9 is zstd's smallest
// practical level as it is gzip's.
func zstdLevel(level int) int { return 1 + (level-1)*18/8 }

// NewDecompressor returns a reader of what r holds compressed with c; BGZF
// and multi-member gzip are read whole. Close releases the decompressor,
// not r.
func NewDecompressor(r io.Reader, c Compression) (io.ReadCloser, error) {
	switch c {
	case NoCompression:
		return io.NopCloser(r), nil
	case Gzip, BGZF:
		return pgzip.NewReader(r)
	case LZ4:
		return io.NopCloser(lz4.NewReader(r)), nil
	case XZ:
		xr, err := xz.NewReader(r)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(xr), nil
	case Bzip2:
		return io.NopCloser(stdbzip2.NewReader(r)), nil
	case Zstd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("unknown compression %q (use one of %s)", c, joinCompressions())
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
