package e2e

// How a golden case's result is compared with what Packer left, and each
// difference reported (see golden_describe_test.go).

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// goldenResult is what one run of a case left.
type goldenResult struct {
	exitCode any // an int, or "timeout"
	output   string
	rundir   string
	files    map[string]descriptor
}

// compareGolden lists every difference between a case's expected.json and
// its run, in check.py's order: exit code, missing and unexpected files,
// each file's descriptor, the output, then modes grouped.
func compareGolden(expected map[string]any, result goldenResult) []string {
	var diffs []string
	if want := expected["exit_code"]; fmt.Sprint(want) != fmt.Sprint(result.exitCode) {
		diffs = append(diffs, fmt.Sprintf("exit code %v, expected %v", result.exitCode, want))
	}
	ef := expected["files"].(map[string]any)
	var missing, extra, common []string
	for rel := range ef {
		if _, ok := result.files[rel]; ok {
			common = append(common, rel)
		} else {
			missing = append(missing, rel)
		}
	}
	for rel := range result.files {
		if _, ok := ef[rel]; !ok {
			extra = append(extra, rel)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(common)
	if len(missing) > 0 {
		diffs = append(diffs, "missing files: "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		diffs = append(diffs, "unexpected files: "+strings.Join(extra, ", "))
	}
	type modePair struct{ got, want string }
	modes := map[modePair][]string{}
	for _, rel := range common {
		exp, _ := ef[rel].(map[string]any)
		act := result.files[rel]
		diffs = append(diffs, diffDescriptor(rel, exp, act)...)
		if exp["kind"] == act["kind"] && fmt.Sprint(exp["mode"]) != fmt.Sprint(act["mode"]) {
			p := modePair{fmt.Sprint(act["mode"]), fmt.Sprint(exp["mode"])}
			modes[p] = append(modes[p], rel)
		}
	}
	for _, key := range []string{"stdout_contains", "stdout_absent"} {
		list, _ := expected[key].([]any)
		for _, item := range list {
			s, _ := item.(string)
			found := strings.Contains(result.output, strings.ReplaceAll(s, goldenRunDir, result.rundir))
			if key == "stdout_contains" && !found {
				diffs = append(diffs, fmt.Sprintf("output lacks %q", s))
			}
			if key == "stdout_absent" && found {
				diffs = append(diffs, fmt.Sprintf("output contains %q", s))
			}
		}
	}
	pairs := make([]modePair, 0, len(modes))
	for p := range modes {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i].got+pairs[i].want < pairs[j].got+pairs[j].want
	})
	for _, p := range pairs {
		diffs = append(diffs, fmt.Sprintf("mode %s, expected %s: %s", p.got, p.want, strings.Join(modes[p], ", ")))
	}
	return diffs
}

// diffDescriptor lists the differences between two descriptors of one
// file (modes aside: compareGolden groups those).
func diffDescriptor(rel string, exp, act descriptor) []string {
	exp = jsonShaped(exp).(map[string]any)
	act = jsonShaped(act).(map[string]any)
	if exp["kind"] != act["kind"] {
		extra := ""
		if e, ok := act["error"]; ok {
			extra = fmt.Sprintf(" (%v)", e)
		} else if text, ok := act["text"].(string); ok && act["kind"] == "file" {
			extra = " text=" + short(text, 80)
		}
		return []string{fmt.Sprintf("%s: kind %v, expected %v%s", rel, act["kind"], exp["kind"], extra)}
	}
	var out []string
	switch kind := exp["kind"]; kind {
	case "regex":
		if act["regex"] != exp["regex"] {
			out = append(out, fmt.Sprintf("%s: content %s does not match /%v/", rel, short(act["_text"], 160), exp["regex"]))
		}
	case "file", "compressed":
		if kind == "compressed" && exp["compression"] != act["compression"] {
			out = append(out, fmt.Sprintf("%s: compression %v, expected %v", rel, act["compression"], exp["compression"]))
		}
		if exp["sha256"] != act["sha256"] {
			_, et := exp["text"]
			_, at := act["text"]
			if et || at {
				out = append(out, fmt.Sprintf("%s: content %s, expected %s", rel, short(textOr(act), 160), short(textOr(exp), 160)))
			} else {
				out = append(out, rel+": sha256 differs")
			}
		}
		if f, ok := exp["frames"]; kind == "compressed" && ok && !reflect.DeepEqual(f, act["frames"]) {
			out = append(out, fmt.Sprintf("%s: lz4 frames %v, expected %v", rel, act["frames"], f))
		}
	case "tar", "zip":
		if kind == "tar" && exp["compression"] != act["compression"] {
			out = append(out, fmt.Sprintf("%s: compression %v, expected %v", rel, act["compression"], exp["compression"]))
		}
		em, am := membersByName(exp), membersByName(act)
		en, an := sortedKeys(em), sortedKeys(am)
		if !reflect.DeepEqual(en, an) {
			out = append(out, fmt.Sprintf("%s: members %s, expected %s", rel, short(an, 160), short(en, 160)))
			break
		}
		for _, name := range en {
			e, a := em[name].(map[string]any), am[name].(map[string]any)
			if reflect.DeepEqual(e, a) {
				continue
			}
			keys := map[string]bool{}
			for k := range e {
				keys[k] = true
			}
			for k := range a {
				keys[k] = true
			}
			var bad []string
			for k := range keys {
				if !reflect.DeepEqual(e[k], a[k]) {
					bad = append(bad, k)
				}
			}
			sort.Strings(bad)
			got, want := map[string]any{}, map[string]any{}
			for _, k := range bad {
				got[k], want[k] = a[k], e[k]
			}
			out = append(out, fmt.Sprintf("%s: member %s differs in %s (%s vs expected %s)", rel, name, strings.Join(bad, ","), short(got, 80), short(want, 80)))
		}
	case "manifest":
		if !reflect.DeepEqual(exp["json"], act["json"]) {
			out = append(out, fmt.Sprintf("%s: manifest %s, expected %s", rel, short(act["json"], 300), short(exp["json"], 300)))
		}
	default:
		if !reflect.DeepEqual(public(exp), public(act)) {
			out = append(out, fmt.Sprintf("%s: %s, expected %s", rel, short(public(act), 160), short(public(exp), 160)))
		}
	}
	return out
}

func textOr(d descriptor) any {
	if t, ok := d["text"]; ok {
		return t
	}
	return "<binary>"
}

func membersByName(d descriptor) map[string]any {
	out := map[string]any{}
	list, _ := d["members"].([]any)
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			out[fmt.Sprint(mm["name"])] = mm
		}
	}
	return out
}

// public drops the keys that only explain a difference (_text).
func public(d descriptor) descriptor {
	out := descriptor{}
	for k, v := range d {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

// short shows v as JSON (a string quoted), cut at n characters.
func short(v any, n int) string {
	var s string
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	} else {
		s = pyJSON(jsonShaped(v))
	}
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func TestGoldenCompare_reportsEachKindOfDifference(t *testing.T) {
	expected := map[string]any{"exit_code": json.Number("0"), "files": map[string]any{
		"gone.txt": map[string]any{"kind": "file", "mode": "0644", "sha256": "x"},
		"a.txt":    map[string]any{"kind": "file", "mode": "0600", "sha256": sha256Hex([]byte("a\n")), "text": "a\n"},
		"b.txt":    map[string]any{"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("b\n")), "text": "b\n"},
	}, "stdout_contains": []any{"--> file: Stored file: a.txt"}, "stdout_absent": []any{"secret"}}
	result := goldenResult{exitCode: 1, output: "a secret", files: map[string]descriptor{
		"a.txt":   {"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("a\n")), "text": "a\n"},
		"b.txt":   {"kind": "file", "mode": "0644", "sha256": sha256Hex([]byte("c\n")), "text": "c\n"},
		"new.txt": {"kind": "file", "mode": "0644", "sha256": "y"},
	}}
	got := compareGolden(expected, result)
	want := []string{
		"exit code 1, expected 0",
		"missing files: gone.txt",
		"unexpected files: new.txt",
		`b.txt: content "c\n", expected "b\n"`,
		`output lacks "--> file: Stored file: a.txt"`,
		`output contains "secret"`,
		"mode 0644, expected 0600: a.txt",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compareGolden =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if diffs := compareGolden(map[string]any{"exit_code": json.Number("1"), "files": map[string]any{}}, goldenResult{exitCode: 1, files: map[string]descriptor{}}); len(diffs) != 0 {
		t.Errorf("identical runs differ: %v", diffs)
	}
}
