package template

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var bigNumber = regexp.MustCompile(`[0-9]{4}`)

// FuzzParse_neverPanics feeds the parser Packer's fixtures and what the
// fuzzer makes of them: every input is a template or an error, and a
// template validates and resolves its variables without a panic.
func FuzzParse_neverPanics(f *testing.F) {
	dir, _ := os.Getwd()
	for ; filepath.Dir(dir) != dir; dir = filepath.Dir(dir) {
		files, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "packer-fixtures", "v1.4.0", "template", "test-fixtures", "*.json"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(string(data))
			}
		}
		if len(files) > 0 {
			break
		}
	}
	f.Add(`{"variables": {"a": "{{user ` + "`b`" + `}}", "b": null}, "builders": [{"type": "null"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := Parse(strings.NewReader(s))
		if (tpl == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want a template or an error", tpl, err)
		}
		if tpl == nil || bigNumber.MatchString(s) {
			return // {{range 99999999}} only tries text/template's patience
		}
		_ = tpl.Validate()
		_, _ = tpl.ResolveVariables(map[string]string{"b": "x"}, nil)
		_, _ = tpl.RenderBuildNames(nil)
	})
}
