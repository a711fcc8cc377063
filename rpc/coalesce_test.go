package rpc

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// recordingWriter keeps each Write it is given, as the connection would
// send it.
type recordingWriter struct{ writes [][]byte }

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}
func (w *recordingWriter) Read([]byte) (int, error) { return 0, nil }
func (w *recordingWriter) Close() error             { return nil }

func frame(typ byte, body []byte, length uint32) []byte {
	h := make([]byte, yamuxHeaderSize)
	h[0], h[1] = 0, typ
	binary.BigEndian.PutUint32(h[4:], 7)
	if typ == yamuxTypeData {
		length = uint32(len(body))
	}
	binary.BigEndian.PutUint32(h[8:], length)
	return append(h, body...)
}

// frames makes a stream of data frames (of random bodies) and frames
// without a body (window updates, pings), and the end offset of each frame.
func frames(rng *rand.Rand, n int) ([]byte, map[int]bool) {
	var stream []byte
	ends := map[int]bool{}
	for range n {
		if rng.IntN(3) == 0 {
			stream = append(stream, frame(byte(1+rng.IntN(3)), nil, rng.Uint32())...)
		} else {
			body := make([]byte, rng.IntN(3000))
			for i := range body {
				body[i] = byte(rng.Uint32())
			}
			stream = append(stream, frame(yamuxTypeData, body, 0)...)
		}
		ends[len(stream)] = true
	}
	return stream, ends
}

func TestCoalesce_sendsEveryByteInOrderAndOnlyWholeFramesHoweverTheWritesAreSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		stream, ends := frames(rng, 1+rng.IntN(20))
		w := &recordingWriter{}
		c := coalesce(w)
		for rest := stream; len(rest) > 0; {
			n := min(1+rng.IntN(40), len(rest))
			if rng.IntN(4) == 0 {
				n = min(len(rest), rng.IntN(5000)+1)
			}
			if got, err := c.Write(rest[:n]); got != n || err != nil {
				t.Fatalf("round %d: Write = %d, %v", round, got, err)
			}
			rest = rest[n:]
		}
		sent, at := bytes.Join(w.writes, nil), 0
		if !bytes.Equal(sent, stream) {
			t.Fatalf("round %d: sent %d bytes that differ from the %d written", round, len(sent), len(stream))
		}
		for i, wr := range w.writes {
			at += len(wr)
			if !ends[at] {
				t.Fatalf("round %d: write %d ends at byte %d, inside a frame", round, i, at)
			}
		}
	}
}

func TestCoalesce_aHeaderWrittenBeforeItsBodyGoesOutWithIt(t *testing.T) {
	w := &recordingWriter{}
	c := coalesce(w)
	data := frame(yamuxTypeData, []byte("hello"), 0)
	update := frame(1, nil, 4096)
	c.Write(data[:yamuxHeaderSize])
	if len(w.writes) != 0 {
		t.Fatal("a data frame's header went out before its body")
	}
	c.Write(data[yamuxHeaderSize:])
	c.Write(update)
	if len(w.writes) != 2 || !bytes.Equal(w.writes[0], data) || !bytes.Equal(w.writes[1], update) {
		t.Errorf("writes %q, want the data frame whole, then the window update at once", w.writes)
	}
}
