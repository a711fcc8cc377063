package interpolate

import (
	"regexp"
	"strings"
	"testing"
)

var bigNumber = regexp.MustCompile(`[0-9]{4}`)

// FuzzRender_twoRendersEqualOne checks the promise components rely on: a
// render without the component's data and the build's data, followed by
// a render with them, gives what one render with everything gives.
func FuzzRender_twoRendersEqualOne(f *testing.F) {
	for _, seed := range []string{
		"chmod +x {{.Path}}; {{ .Vars }} {{.Path}}",
		"{{ build `ID` | lower }}-{{ user `a` }}",
		"{{if .Sudo}}sudo {{end}}{{.Path}}",
		"{{ $p := .Path }}run {{ $p }}",
		"{{ with `x` }}{{ . }}{{ end }}:{{ .Path }}",
		"{{ if eq .Path \"}}\" }}{{ if .Sudo }}x{{ end }}{{ else }}y{{ end }}!",
		"{{/* a comment }} */}}{{ .Path }}",
		"{{- .Path -}} x {{- build `ID` }}",
		"{{ range $i, $e := .List }}{{ $i }}={{ $e }}{{ end }}",
	} {
		f.Add(seed)
	}
	data := map[string]any{"Path": "/tmp/s", "Vars": "A=1", "Sudo": true, "List": []string{"a", "b"}}
	build := map[string]any{"ID": "Null"}
	users := map[string]string{"a": "A"}
	f.Fuzz(func(t *testing.T, s string) {
		if bigNumber.MatchString(s) {
			return // {{range 99999999}} and %099999999d only try text/template's patience
		}
		whole, err := Render(s, &Context{Data: data, BuildData: build, UserVariables: users})
		if err != nil || strings.Contains(whole, "{{") {
			// Output that itself holds "{{" is read again by any later
			// render, in Packer too: not what this property is about.
			return
		}
		first, err := Render(s, &Context{UserVariables: users})
		if err != nil {
			t.Fatalf("first render of %q failed, though one render with everything gives %q: %v", s, whole, err)
		}
		later, err := Render(first, &Context{Data: data, BuildData: build, UserVariables: users})
		if err != nil || later != whole {
			t.Fatalf("render of %q in two steps = %q (via %q), %v; in one = %q", s, later, first, err, whole)
		}
	})
}
