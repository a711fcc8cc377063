package rpc

import (
	"bytes"
	"encoding/gob"
	"strings"
	"testing"
)

func TestLimitReader_passesGobStreamsThroughUnchanged(t *testing.T) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	messages := []string{"short", strings.Repeat("x", 300), strings.Repeat("y", 70000)}
	for _, m := range messages {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	dec := gob.NewDecoder(newLimitReader(&buf, 1<<20))
	for _, want := range messages {
		var got string
		if err := dec.Decode(&got); err != nil || got != want {
			t.Fatalf("decoded %d bytes (%v), want %d", len(got), err, len(want))
		}
	}
}

func TestLimitReader_refusesAMessageOverTheLimitBeforeReadingIt(t *testing.T) {
	var buf bytes.Buffer
	gob.NewEncoder(&buf).Encode(strings.Repeat("z", 5000))
	var got string
	err := gob.NewDecoder(newLimitReader(&buf, 1000)).Decode(&got)
	if err == nil || !strings.Contains(err.Error(), "over the 1000-byte limit") {
		t.Fatalf("Decode = %v, want the limit named", err)
	}
	// A forged prefix announcing a gigabyte is refused the same way.
	forged := bytes.NewReader([]byte{0xfc, 0x40, 0x00, 0x00, 0x00})
	err = gob.NewDecoder(newLimitReader(forged, MaxMessageSize)).Decode(&got)
	if err == nil || !strings.Contains(err.Error(), "1073741824-byte message") {
		t.Fatalf("forged length: %v", err)
	}
}
