package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"
)

// Append appends the encoding of v to buf. It fails on values msgpack
// cannot carry here (channels, functions, maps with keys that are not
// strings or numbers).
func Append(buf []byte, v any) ([]byte, error) {
	if v == nil {
		return append(buf, 0xc0), nil
	}
	return appendValue(buf, reflect.ValueOf(v), 0)
}

// maxDepth bounds nesting, both ways: a cyclic value is refused instead of
// recursing forever, and a hostile message cannot exhaust the stack.
const maxDepth = 100

var timeType = reflect.TypeOf(time.Time{})

func appendValue(buf []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return buf, fmt.Errorf("msgpack: value nested deeper than %d levels", maxDepth)
	}
	if !v.IsValid() {
		return append(buf, 0xc0), nil
	}
	if v.Type() == timeType {
		return appendTime(buf, v.Interface().(time.Time)), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(buf, 0xc0), nil
		}
		return appendValue(buf, v.Elem(), depth+1)
	case reflect.Bool:
		if v.Bool() {
			return append(buf, 0xc3), nil
		}
		return append(buf, 0xc2), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return AppendInt(buf, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return AppendUint(buf, v.Uint()), nil
	case reflect.Float32:
		return binary.BigEndian.AppendUint32(append(buf, 0xca), math.Float32bits(float32(v.Float()))), nil
	case reflect.Float64:
		return binary.BigEndian.AppendUint64(append(buf, 0xcb), math.Float64bits(v.Float())), nil
	case reflect.String:
		return AppendString(buf, v.String()), nil
	case reflect.Slice:
		if v.IsNil() {
			return append(buf, 0xc0), nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return appendBin(buf, v.Bytes()), nil
		}
		return appendArray(buf, v, depth)
	case reflect.Array:
		return appendArray(buf, v, depth)
	case reflect.Map:
		if v.IsNil() {
			return append(buf, 0xc0), nil
		}
		return appendMap(buf, v, depth)
	case reflect.Struct:
		return appendStruct(buf, v, depth)
	}
	return buf, fmt.Errorf("msgpack: cannot encode a %s", v.Type())
}

// AppendInt appends i as ugorji encodes a signed integer.
func AppendInt(buf []byte, i int64) []byte {
	switch {
	case i > math.MaxInt32:
		return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(i))
	case i > math.MaxInt16:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(i))
	case i > math.MaxInt8:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(i))
	case i >= -32:
		return append(buf, byte(i))
	case i >= math.MinInt8:
		return append(buf, 0xd0, byte(i))
	case i >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(i))
	case i >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(i))
}

// AppendUint appends u as ugorji encodes an unsigned integer.
func AppendUint(buf []byte, u uint64) []byte {
	switch {
	case u <= math.MaxInt8:
		return append(buf, byte(u))
	case u <= math.MaxUint8:
		return append(buf, 0xcc, byte(u))
	case u <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xcf), u)
}

// AppendString appends s as a msgpack str.
func AppendString(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n < 256:
		buf = append(buf, 0xd9, byte(n))
	case n < 65536:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
	}
	return append(buf, s...)
}

func appendBin(buf []byte, b []byte) []byte {
	n := len(b)
	switch {
	case n < 256:
		buf = append(buf, 0xc4, byte(n))
	case n < 65536:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xc5), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xc6), uint32(n))
	}
	return append(buf, b...)
}

func appendLen(buf []byte, n int, fix, b16, b32 byte, fixMax int) []byte {
	switch {
	case n < fixMax:
		return append(buf, fix|byte(n))
	case n < 65536:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
}

func appendArray(buf []byte, v reflect.Value, depth int) ([]byte, error) {
	buf = appendLen(buf, v.Len(), 0x90, 0xdc, 0xdd, 16)
	var err error
	for i := 0; i < v.Len(); i++ {
		if buf, err = appendValue(buf, v.Index(i), depth+1); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// appendMap writes a map's entries sorted by key, so that an encoding is
// the same every time (ugorji's order is Go's, random; readers do not care).
func appendMap(buf []byte, v reflect.Value, depth int) ([]byte, error) {
	keys := v.MapKeys()
	switch v.Type().Key().Kind() {
	case reflect.String:
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	case reflect.Interface:
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	}
	buf = appendLen(buf, len(keys), 0x80, 0xde, 0xdf, 16)
	var err error
	for _, k := range keys {
		if buf, err = appendValue(buf, k, depth+1); err != nil {
			return buf, err
		}
		if buf, err = appendValue(buf, v.MapIndex(k), depth+1); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func appendStruct(buf []byte, v reflect.Value, depth int) ([]byte, error) {
	t := v.Type()
	var fields []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			fields = append(fields, i)
		}
	}
	buf = appendLen(buf, len(fields), 0x80, 0xde, 0xdf, 16)
	var err error
	for _, i := range fields {
		buf = AppendString(buf, t.Field(i).Name)
		if buf, err = appendValue(buf, v.Field(i), depth+1); err != nil {
			return buf, fmt.Errorf("field %s: %w", t.Field(i).Name, err)
		}
	}
	return buf, nil
}

// appendTime writes t as the timestamp extension (type -1) in its shortest
// form, and a zero time as nil, as ugorji does.
func appendTime(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(buf, 0xc0)
	}
	t = t.UTC()
	sec, nsec := t.Unix(), uint64(t.Nanosecond())
	if sec >= 0 && sec>>34 == 0 {
		data := nsec<<34 | uint64(sec)
		if data&0xffffffff00000000 == 0 {
			return binary.BigEndian.AppendUint32(append(buf, 0xd6, 0xff), uint32(data))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xd7, 0xff), data)
	}
	buf = binary.BigEndian.AppendUint32(append(buf, 0xc7, 12, 0xff), uint32(nsec))
	return binary.BigEndian.AppendUint64(buf, uint64(sec))
}
