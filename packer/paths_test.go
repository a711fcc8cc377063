package packer

import (
	"strings"
	"testing"
)

func TestCheckOutputPath_refusesEscapesAndNULs(t *testing.T) {
	for path, want := range map[string]string{
		"out/manifest.json": "",
		"/tmp/abs/manifest": "",
		"a/../b":            "",
		"../outside":        "leaves the working directory",
		"out/../../outside": "leaves the working directory",
		"bad\x00name":       "NUL byte",
	} {
		err := CheckOutputPath("output", path)
		if want == "" && err != nil {
			t.Errorf("%q: %v", path, err)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "output: ")) {
			t.Errorf("%q: %v, want %q naming the key", path, err, want)
		}
	}
}
