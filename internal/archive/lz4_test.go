package archive

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// lz4Frames walks an LZ4 frame stream by its format (frame header,
// blocks up to the end mark, checksums) and returns how many frames and
// data blocks it holds.
func lz4Frames(t *testing.T, data []byte) (frames, blocks int) {
	t.Helper()
	for off := 0; off < len(data); frames++ {
		if binary.LittleEndian.Uint32(data[off:]) != 0x184D2204 {
			t.Fatalf("frame %d at %d: magic % x", frames, off, data[off:off+4])
		}
		flg := data[off+4]
		if flg>>6 != 1 {
			t.Fatalf("frame %d: version %d", frames, flg>>6)
		}
		off += 7 // magic, FLG, BD, header checksum
		if flg&0x08 != 0 {
			off += 8 // content size
		}
		if flg&0x01 != 0 {
			off += 4 // dictionary id
		}
		for {
			size := binary.LittleEndian.Uint32(data[off:])
			off += 4
			if size == 0 {
				break
			}
			off += int(size &^ (1 << 31))
			if flg&0x10 != 0 {
				off += 4 // block checksum
			}
			blocks++
		}
		if flg&0x04 != 0 {
			off += 4 // content checksum
		}
		if off > len(data) {
			t.Fatalf("frame %d runs past the end", frames)
		}
	}
	return frames, blocks
}

func TestLZ4_onCoresItIsStillOneFrame(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = "lz4 frame "[rng.IntN(10)]
	}
	content := bytes.Repeat(chunk, 80) // 5 MiB: more than one of lz4's 4 MiB blocks
	for _, level := range []int{0, 1} {
		var buf bytes.Buffer
		w, err := NewCompressor(&buf, LZ4, level, 4)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		frames, blocks := lz4Frames(t, buf.Bytes())
		if frames != 1 || blocks < 2 {
			t.Errorf("level %d: %d frames of %d blocks, want one frame of at least 2", level, frames, blocks)
		}
		if got := decompress(t, buf.Bytes(), LZ4); !bytes.Equal(got, content) {
			t.Errorf("level %d: read back %d bytes, wrote %d", level, len(got), len(content))
		}
	}
}
