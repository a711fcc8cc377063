package archive

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

// bgzfBlocks splits a BGZF file into its blocks, checking each against the
// specification: a gzip member with FEXTRA whose "BC" subfield gives the
// member's size less one, at most 64 KiB, holding deflate data that
// matches its CRC and length. It returns each block's content.
func bgzfBlocks(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var blocks [][]byte
	for off := 0; off < len(data); {
		b := data[off:]
		if len(b) < 28 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 || b[3]&4 == 0 {
			t.Fatalf("block at %d: not a gzip member with FEXTRA: % x", off, b[:min(len(b), 18)])
		}
		xlen := int(binary.LittleEndian.Uint16(b[10:]))
		size := -1
		for x := b[12 : 12+xlen]; len(x) >= 4; {
			slen := int(binary.LittleEndian.Uint16(x[2:]))
			if x[0] == 'B' && x[1] == 'C' && slen == 2 {
				size = int(binary.LittleEndian.Uint16(x[4:])) + 1
			}
			x = x[4+slen:]
		}
		if size < 0 {
			t.Fatalf("block at %d has no BC subfield", off)
		}
		if size > 1<<16 || size > len(b) {
			t.Fatalf("block at %d claims %d bytes", off, size)
		}
		block := b[:size]
		content, err := io.ReadAll(flate.NewReader(bytes.NewReader(block[12+xlen : size-8])))
		if err != nil {
			t.Fatalf("block at %d: %v", off, err)
		}
		if crc32.ChecksumIEEE(content) != binary.LittleEndian.Uint32(block[size-8:]) || uint32(len(content)) != binary.LittleEndian.Uint32(block[size-4:]) {
			t.Fatalf("block at %d: CRC or length does not match its %d bytes", off, len(content))
		}
		blocks = append(blocks, content)
		off += size
	}
	return blocks
}

func bgzf(t *testing.T, content []byte, level, workers int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewCompressor(&buf, BGZF, level, workers)
	if err != nil {
		t.Fatal(err)
	}
	// Odd-sized writes, so blocks fill across calls.
	for rest := content; len(rest) > 0; {
		n := min(len(rest), 10007)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBGZF_blocksFollowTheSpecificationAndEndWithTheEOFBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300_000) // incompressible: stored blocks must still fit
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := bytes.Repeat([]byte("ACGTTGCA bgzf "), 40_000)
	for _, content := range [][]byte{random, text, []byte("short"), nil} {
		for _, workers := range []int{1, 2, 7} {
			data := bgzf(t, content, 0, workers)
			blocks := bgzfBlocks(t, data)
			if !bytes.HasSuffix(data, bgzfEOF) || len(blocks[len(blocks)-1]) != 0 {
				t.Errorf("%d bytes, %d workers: the file does not end with the EOF block", len(content), workers)
			}
			joined := bytes.Join(blocks, nil)
			if !bytes.Equal(joined, content) {
				t.Fatalf("%d bytes, %d workers: blocks hold %d bytes, not the content", len(content), workers, len(joined))
			}
			wantBlocks := (len(content)+bgzfBlockData-1)/bgzfBlockData + 1
			if len(blocks) != wantBlocks {
				t.Errorf("%d bytes in %d blocks, want %d", len(content), len(blocks), wantBlocks)
			}
			if got := decompress(t, data, BGZF); !bytes.Equal(got, content) {
				t.Errorf("%d bytes, %d workers: a gzip reader reads %d bytes", len(content), workers, len(got))
			}
		}
	}
}

func TestBGZF_isTheSameWhateverTheWorkersAndHonoursTheLevel(t *testing.T) {
	text := bytes.Repeat([]byte("the same bytes, block after block "), 20_000)
	one := bgzf(t, text, 6, 1)
	if many := bgzf(t, text, 6, 4); !bytes.Equal(one, many) {
		t.Error("4 workers wrote different bytes from 1")
	}
	fast, best := bgzf(t, text, 1, 2), bgzf(t, text, 9, 2)
	if fast[8] != 4 || best[8] != 2 {
		t.Errorf("XFL %d and %d, want 4 for level 1 and 2 for level 9", fast[8], best[8])
	}
	if _, err := NewCompressor(io.Discard, BGZF, 12, 1); err == nil {
		t.Error("level 12 accepted")
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, io.ErrShortWrite
	}
	f.after--
	return len(p), nil
}

func TestBGZF_aWriteErrorIsReturnedAndStopsTheWorkers(t *testing.T) {
	w, _ := NewCompressor(&failingWriter{after: 2}, BGZF, 0, 3)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = w.Write(bytes.Repeat([]byte{byte(i)}, 50_000))
	}
	cerr := w.Close()
	if err == nil && cerr == nil {
		t.Fatal("writes into a failing writer all succeeded")
	}
	if cerr == nil {
		t.Error("Close after a failed write succeeded")
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
}
