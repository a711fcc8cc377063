package msgpack

import (
	"fmt"
	"math"
	"reflect"
	"time"
)

// Assign stores v, a value Decode returned, in *dst, converting as the SDK's
// codec does: any number into any numeric field that can hold it, nil into
// anything (its zero value), a map into a struct by field name (fields the
// map lacks keep their value; keys the struct lacks are ignored), str or
// bin into a string or []byte. dst must be a non-nil pointer. An *any
// receives v itself.
func Assign(dst any, v any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("msgpack: Assign needs a non-nil pointer, not %T", dst)
	}
	return assign(rv.Elem(), v, "")
}

func assign(dst reflect.Value, v any, path string) error {
	if v == nil {
		dst.SetZero()
		return nil
	}
	if dst.Kind() == reflect.Interface {
		if dst.NumMethod() == 0 {
			dst.Set(reflect.ValueOf(v))
			return nil
		}
		return fmt.Errorf("msgpack: %scannot fill a %s", at(path), dst.Type())
	}
	if dst.Type() == timeType {
		t, ok := v.(time.Time)
		if !ok {
			return mismatch(path, v, dst)
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return assign(dst.Elem(), v, path)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch(path, v, dst)
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := asInt(v)
		if !ok || dst.OverflowInt(i) {
			return mismatch(path, v, dst)
		}
		dst.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, ok := asUint(v)
		if !ok || dst.OverflowUint(u) {
			return mismatch(path, v, dst)
		}
		dst.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, ok := asFloat(v)
		if !ok {
			return mismatch(path, v, dst)
		}
		dst.SetFloat(f)
	case reflect.String:
		switch s := v.(type) {
		case string:
			dst.SetString(s)
		case []byte:
			dst.SetString(string(s))
		default:
			return mismatch(path, v, dst)
		}
	case reflect.Slice:
		return assignSlice(dst, v, path)
	case reflect.Map:
		return assignMap(dst, v, path)
	case reflect.Struct:
		return assignStruct(dst, v, path)
	default:
		return mismatch(path, v, dst)
	}
	return nil
}

func assignSlice(dst reflect.Value, v any, path string) error {
	if b, ok := v.([]byte); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetBytes(append([]byte(nil), b...))
		return nil
	}
	if s, ok := v.(string); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetBytes([]byte(s))
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		return mismatch(path, v, dst)
	}
	out := reflect.MakeSlice(dst.Type(), len(items), len(items))
	for i, item := range items {
		if err := assign(out.Index(i), item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	dst.Set(out)
	return nil
}

func assignMap(dst reflect.Value, v any, path string) error {
	m, ok := v.(map[string]any)
	if !ok || dst.Type().Key().Kind() != reflect.String {
		return mismatch(path, v, dst)
	}
	out := reflect.MakeMapWithSize(dst.Type(), len(m))
	for k, item := range m {
		elem := reflect.New(dst.Type().Elem()).Elem()
		if err := assign(elem, item, path+"."+k); err != nil {
			return err
		}
		out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), elem)
	}
	dst.Set(out)
	return nil
}

func assignStruct(dst reflect.Value, v any, path string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return mismatch(path, v, dst)
	}
	t := dst.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		item, present := m[f.Name]
		if !f.IsExported() || !present {
			continue
		}
		if err := assign(dst.Field(i), item, path+"."+f.Name); err != nil {
			return err
		}
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case float64:
		return int64(n), n == math.Trunc(n) && math.Abs(n) < 1<<63
	}
	return 0, false
}

func asUint(v any) (uint64, bool) {
	switch n := v.(type) {
	case int64:
		return uint64(n), n >= 0
	case uint64:
		return n, true
	case float64:
		return uint64(n), n >= 0 && n == math.Trunc(n) && n < 1<<64
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path[1:] + ": "
}

func mismatch(path string, v any, dst reflect.Value) error {
	return fmt.Errorf("msgpack: %sa %T cannot fill a %s", at(path), v, dst.Type())
}
