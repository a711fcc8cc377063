//go:build unix

package archive

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// largeInput is a 200 MiB file, mostly holes with 1 MiB of text every
// 16 MiB, so it is cheap on disk and still gives every compressor work.
func largeInput(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "disk.img")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	const size = 200 << 20
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	chunk := make([]byte, 1<<20)
	for off := int64(0); off < size; off += 16 << 20 {
		for i := range chunk {
			chunk[i] = "abcdefgh \n"[rng.IntN(10)]
		}
		if _, err := f.WriteAt(chunk, off); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// BenchmarkCreate_200MiB streams a 200 MiB file into each format and
// reports the bytes allocated per archive and the process's peak resident
// memory so far (which would pass 200 MiB if the file were held in
// memory). Run it with -benchtime=1x; xz and bzip2 take a while.
func BenchmarkCreate_200MiB(b *testing.B) {
	in := largeInput(b)
	out := filepath.Join(b.TempDir(), "out")
	for _, f := range []Format{
		{Tar, NoCompression}, {Tar, Gzip}, {Tar, BGZF}, {Tar, LZ4}, {Tar, Zstd},
		{Zip, NoCompression}, {Tar, XZ}, {Tar, Bzip2},
	} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(200 << 20)
			for b.Loop() {
				w, err := Create("output", out, f, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.AddFile(context.Background(), "disk.img", in); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			var ru syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB") // Linux reports KiB
		})
	}
}
