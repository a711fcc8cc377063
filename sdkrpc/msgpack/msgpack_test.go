package msgpack

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The request header real Packer wrote for Builder.Prepare (36 bytes,
// ../../shared/sdk-plugins/trace), as ugorji encodes net/rpc's Request.
func TestAppend_theRequestHeaderOfTheTraceByteForByte(t *testing.T) {
	type request struct {
		ServiceMethod string
		Seq           uint64
	}
	got, err := Append(nil, &request{ServiceMethod: "Builder.Prepare", Seq: 0})
	if err != nil {
		t.Fatal(err)
	}
	want := "\x82\xadServiceMethod\xafBuilder.Prepare\xa3Seq\x00"
	if string(got) != want || len(got) != 36 {
		t.Errorf("got % x (%d bytes), want % x (36)", got, len(got), want)
	}
}

func TestAppendInt_theFormsUgorjiWrites(t *testing.T) {
	for _, c := range []struct {
		i    int64
		want string
	}{
		{0, "00"}, {127, "7f"}, {128, "d10080"}, {2299, "d108fb"}, {-1, "ff"}, {-32, "e0"},
		{-33, "d0df"}, {-200, "d1ff38"}, {70000, "d200011170"}, {math.MaxInt64, "d37fffffffffffffff"},
	} {
		if got := hex.EncodeToString(AppendInt(nil, c.i)); got != c.want {
			t.Errorf("AppendInt(%d) = %s, want %s", c.i, got, c.want)
		}
	}
	for _, c := range []struct {
		u    uint64
		want string
	}{{5, "05"}, {200, "ccc8"}, {300, "cd012c"}, {1 << 20, "ce00100000"}, {1 << 40, "cf0000010000000000"}} {
		if got := hex.EncodeToString(AppendUint(nil, c.u)); got != c.want {
			t.Errorf("AppendUint(%d) = %s, want %s", c.u, got, c.want)
		}
	}
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decoding % x: %v", b, err)
	}
	return got
}

func TestDecode_everyFormRoundTrips(t *testing.T) {
	long := strings.Repeat("x", 70000)
	when := time.Date(2026, 7, 1, 12, 0, 0, 5, time.UTC)
	for _, c := range []struct {
		in, want any
	}{
		{nil, nil}, {true, true}, {false, false},
		{int64(-5), int64(-5)}, {int32(70000), int64(70000)}, {uint32(4000000000), uint64(4000000000)},
		{1.5, 1.5}, {float32(0.5), 0.5},
		{"", ""}, {strings.Repeat("y", 40), strings.Repeat("y", 40)}, {strings.Repeat("z", 300), strings.Repeat("z", 300)}, {long, long},
		{[]byte{1, 2}, []byte{1, 2}}, {[]byte(nil), nil},
		{[]string{"a", "b"}, []any{"a", "b"}}, {[]string(nil), nil},
		{map[string]any{"k": []any{int64(1), "two"}}, map[string]any{"k": []any{int64(1), "two"}}},
		{when, when}, {time.Unix(1, 0).UTC(), time.Unix(1, 0).UTC()}, {time.Unix(-1, 7).UTC(), time.Unix(-1, 7).UTC()},
		{time.Time{}, nil},
	} {
		if got := roundTrip(t, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%#v came back as %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestDecode_aLargeMapAndArrayUseTheirWideForms(t *testing.T) {
	m := map[string]any{}
	var a []any
	for i := 0; i < 20; i++ {
		m[strings.Repeat("k", i+1)] = int64(i)
		a = append(a, int64(i))
	}
	if got := roundTrip(t, m); !reflect.DeepEqual(got, m) {
		t.Errorf("map came back as %v", got)
	}
	if got := roundTrip(t, a); !reflect.DeepEqual(got, a) {
		t.Errorf("array came back as %v", got)
	}
}

func TestDecode_refusesWhatIsTooLargeOrTooDeepOrCut(t *testing.T) {
	// An array claiming 2^32-1 elements in 5 bytes must not allocate them.
	if _, err := NewDecoder(bytes.NewReader([]byte{0xdd, 0xff, 0xff, 0xff, 0xff})).Decode(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge array: %v, want ErrTooLarge", err)
	}
	if _, err := NewDecoder(bytes.NewReader([]byte{0xc6, 0xff, 0xff, 0xff, 0xff})).Decode(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge bin: %v, want ErrTooLarge", err)
	}
	deep := bytes.Repeat([]byte{0x91}, maxDepth+5)
	if _, err := NewDecoder(bytes.NewReader(deep)).Decode(); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("deep array: %v, want a nesting error", err)
	}
	if _, err := NewDecoder(bytes.NewReader([]byte{0xa5, 'a'})).Decode(); err == nil {
		t.Error("a cut string decoded")
	}
	if _, err := NewDecoder(bytes.NewReader(nil)).Decode(); err == nil {
		t.Error("nothing decoded")
	}
	if _, err := NewDecoder(bytes.NewReader([]byte{0xc1})).Decode(); err == nil {
		t.Error("the never-used byte 0xc1 decoded")
	}
}

func TestAssign_fillsStructsByFieldNameAndConvertsNumbers(t *testing.T) {
	type info struct {
		N string
		S int64
		M uint32
		T time.Time
	}
	type args struct {
		Path     string
		StreamId uint32
		FileInfo *info
		Exclude  []string
		Data     any
		Extra    map[string]string
	}
	when := time.Unix(100, 0).UTC()
	in := map[string]any{
		"Path": "/tmp/x", "StreamId": int64(7), "Unknown": true,
		"FileInfo": map[string]any{"N": "x", "S": uint64(3), "M": int64(0o644), "T": when},
		"Exclude":  []any{"a"}, "Data": map[string]any{"n": int64(2)}, "Extra": map[string]any{"k": "v"},
	}
	var got args
	if err := Assign(&got, in); err != nil {
		t.Fatal(err)
	}
	want := args{Path: "/tmp/x", StreamId: 7, FileInfo: &info{N: "x", S: 3, M: 0o644, T: when}, Exclude: []string{"a"},
		Data: map[string]any{"n": int64(2)}, Extra: map[string]string{"k": "v"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	var n uint32
	if err := Assign(&n, int64(-1)); err == nil {
		t.Error("-1 filled a uint32")
	}
	var s string
	if err := Assign(&s, int64(1)); err == nil || !strings.Contains(err.Error(), "string") {
		t.Errorf("a number filled a string: %v", err)
	}
	var p *info
	if err := Assign(&p, nil); err != nil || p != nil {
		t.Errorf("nil into a pointer: %v, %v", p, err)
	}
}
