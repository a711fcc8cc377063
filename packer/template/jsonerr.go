package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/go-multierror"
)

// jsonError describes a JSON decoding error of data for the person who
// wrote it: the line and column (as an editor counts them), the byte
// offset, and the offending line with a caret under the spot. hint, when
// not empty, ends the message.
func jsonError(data []byte, err error, hint string) string {
	return jsonErrorAt(data, 0, "", err, hint)
}

// jsonErrorAt is jsonError for a value that starts at offset base of data
// and sits under key.
func jsonErrorAt(data []byte, base int64, key string, err error, hint string) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var msg string
	var offset int64
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the offending one included.
		offset = base + max(syntax.Offset-1, 0)
		msg = "malformed JSON: " + syntax.Error()
	case errors.As(err, &typeErr):
		offset = base + typeErr.Offset
		field := joinKey(key, typeErr.Field)
		if field == "" {
			field = "the template"
		} else {
			field = fmt.Sprintf("%q", field)
		}
		msg = fmt.Sprintf("%s must be %s, not a JSON %s", field, describeType(typeErr.Type.String()), typeErr.Value)
		// The offset is just past the value; point at its start.
		offset = valueStart(data, offset)
	default:
		return err.Error()
	}
	if hint != "" {
		msg += " (" + hint + ")"
	}
	line, col := lineOf(data, offset), columnOf(data, offset)
	return fmt.Sprintf("line %d, column %d (offset %d): %s\n%s", line, col, offset+1, msg, highlight(data, offset))
}

func joinKey(key, field string) string {
	switch {
	case key == "":
		return field
	case field == "":
		return key
	}
	return key + "." + field
}

// valueStart backs up from just past a JSON value to its first byte, for
// the scalar values a type error names.
func valueStart(data []byte, end int64) int64 {
	end = min(end, int64(len(data)))
	i := end - 1
	if i >= 0 && (data[i] == '[' || data[i] == '{') {
		return i // a list or object: the error comes just past its opening
	}
	if i >= 0 && data[i] == '"' {
		for i--; i >= 0; i-- {
			if data[i] == '"' && (i == 0 || data[i-1] != '\\') {
				return i
			}
		}
		return 0
	}
	for i >= 0 && !strings.ContainsRune(" \t\r\n:,[{", rune(data[i])) {
		i--
	}
	return min(i+1, end)
}

func describeType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "an object"
	case t == "string" || t == "*string":
		return "a string"
	case strings.HasPrefix(t, "*template."):
		return "an object"
	}
	return "a " + t
}

// lineOf is the 1-based line of offset.
func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// columnOf is the 1-based column of offset, counting characters.
func columnOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	start := bytes.LastIndexByte(data[:offset], '\n') + 1
	return utf8.RuneCount(data[start:offset]) + 1
}

// highlight shows the line holding offset, with a caret under it.
func highlight(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	start := bytes.LastIndexByte(data[:offset], '\n') + 1
	end := bytes.IndexByte(data[offset:], '\n')
	if end < 0 {
		end = len(data)
	} else {
		end += int(offset)
	}
	line := strings.ReplaceAll(string(data[start:end]), "\t", " ")
	const maxWidth = 160
	col := columnOf(data, offset) - 1
	if utf8.RuneCountInString(line) > maxWidth {
		runes := []rune(line)
		from := max(col-maxWidth/2, 0)
		to := min(from+maxWidth, len(runes))
		line = string(runes[from:to])
		col -= from
	}
	return fmt.Sprintf("%5d: %s\n       %s^", lineOf(data, offset), line, strings.Repeat(" ", col))
}

// scanObject walks the JSON object in data (already known to be valid),
// reporting every key that appears twice in one object (encoding/json
// would silently keep the last, so a template would quietly lose a
// setting) and the offset of each top-level value.
func scanObject(data []byte, name string) (valueOffsets map[string]int64, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	valueOffsets = map[string]int64{}
	var errs *multierror.Error
	var walk func(path string, depth int) error
	walk = func(path string, depth int) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch delim {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				keyEnd := dec.InputOffset()
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				key := tok.(string)
				keyStart := bytes.IndexByte(data[keyEnd:], '"') + int(keyEnd)
				if seen[key] {
					errs = multierror.Append(errs, fmt.Errorf("%s: line %d, column %d: key %q appears twice in %s; only one would be used, so remove the other", name, lineOf(data, int64(keyStart)), columnOf(data, int64(keyStart)), key, describePath(path)))
				}
				seen[key] = true
				if depth == 0 {
					valueOffsets[key] = skipColon(data, dec.InputOffset())
				}
				if err := walk(joinKey(path, key), depth+1); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	if err := walk("", 0); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err, ""))
	}
	return valueOffsets, errs.ErrorOrNil()
}

func describePath(path string) string {
	if path == "" {
		return "the template's top level"
	}
	return fmt.Sprintf("%q", path)
}

// skipColon moves from just past an object key to its value's first byte.
func skipColon(data []byte, at int64) int64 {
	for at < int64(len(data)) && strings.ContainsRune(" \t\r\n:", rune(data[at])) {
		at++
	}
	return at
}
