package interpolate

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runContext is a render inside one build, after its builder has run.
func runContext() *Context {
	return &Context{
		UserVariables: map[string]string{"fruit": "Pear", "list": "a-b-c"},
		BuildName:     "potato",
		BuildType:     "null",
		BuildData:     map[string]any{"ID": "Null", "Port": 22},
		TemplatePath:  filepath.Join("dir", "t.json"),
		PackerVersion: "1.2.3",
		Now:           time.Date(2026, 11, 22, 10, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestRender_eachTemplateFunction(t *testing.T) {
	t.Setenv("INTERPOLATE_TEST", "from-env")
	wd, _ := os.Getwd()
	absDir, _ := filepath.Abs("dir")
	cases := []struct{ in, want string }{
		{"no actions at all", "no actions at all"},
		{"{{user `fruit`}}", "Pear"},
		{"{{ lower (user `fruit`) }}-{{ upper `x` }}", "pear-X"},
		{"{{ user `fruit` | lower }}", "pear"},
		{"{{timestamp}}", "1795339800"},
		{"{{isotime}}", "2026-11-22T09:30:00Z"},
		{"{{isotime `2006-01-02 15h`}}", "2026-11-22 09h"},
		{"{{build_name}}/{{build_type}}", "potato/null"},
		{"provisioner.{{ build `ID`}}.txt", "provisioner.Null.txt"},
		{"port {{ build `Port` }}", "port 22"},
		{"{{pwd}}", wd},
		{"{{template_dir}}", absDir},
		{"{{split (user `list`) `-` 2}}", "c"},
		{`{{split "foo-bar" "-" 0}}`, "foo"},
		{"{{replace `a` `b` 1 `aaa`}}", "baa"},
		{"{{ `a-b-c` | replace `-` `_` -1 }}", "a_b_c"},
		{"{{replace_all `a` `b` `aaa`}}", "bbb"},
		{"{{packer_version}}", "1.2.3"},
	}
	for _, tc := range cases {
		got, err := Render(tc.in, runContext())
		if err != nil || got != tc.want {
			t.Errorf("Render(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	ctx := runContext()
	ctx.EnableEnv = true
	if got, err := Render("{{env `INTERPOLATE_TEST`}}", ctx); err != nil || got != "from-env" {
		t.Errorf("env in variables = %q, %v", got, err)
	}
}

func TestRender_uuidIsRandomVersion4(t *testing.T) {
	uuidForm := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, errA := Render("{{uuid}}", nil)
	b, errB := Render("{{uuid}}", nil)
	if errA != nil || errB != nil || !uuidForm.MatchString(a) || !uuidForm.MatchString(b) || a == b {
		t.Errorf("two uuids = %q (%v), %q (%v); want two different version 4 UUIDs", a, errA, b, errB)
	}
}

func TestRender_timestampIsTheSameForTheWholeRun(t *testing.T) {
	ctx := &Context{Now: time.Unix(1700000000, 0)}
	got, err := RenderInterface([]any{"{{timestamp}}", "{{timestamp}}-{{isotime `15:04:05`}}"}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{"1700000000", "1700000000-22:13:20"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RenderInterface = %v, want %v", got, want)
	}
}

// Components render {{ .Field }} themselves, and {{ build `ID` }} is known
// only once the builder has run: a render without them keeps them exactly
// as written, and a later render fills them in.
func TestRender_keepsWhatItCannotKnowYetExactlyAsWritten(t *testing.T) {
	cases := []struct{ in, first string }{
		{"chmod +x {{.Path}}; {{ .Vars }} {{.Path}}", "chmod +x {{.Path}}; {{ .Vars }} {{.Path}}"},
		{"{{user `fruit`}} {{ build `ID` }}", "Pear {{ build `ID` }}"},
		{"{{ build `ID` | lower }}", "{{ build `ID` | lower }}"},
		{"{{ .Path | upper }} {{ upper (user `fruit`) }}", "{{ .Path | upper }} PEAR"},
		{"{{if .Sudo}}sudo {{end}}{{.Path}}", "{{if .Sudo}}sudo {{end}}{{.Path}}"},
		{"{{if true}}{{ user `fruit` }} {{ .Path }}{{end}}", "Pear {{ .Path }}"},
		{"{{ $p := .Path }}run {{ $p }}", "{{ $p := .Path }}run {{ $p }}"},
		{"{{ with `x` }}{{ . }}{{ end }}:{{ .Path }}", "x:{{ .Path }}"},
		{"{{ .Vars }} \"{{ .Path }}\" `}}`", "{{ .Vars }} \"{{ .Path }}\" `}}`"},
		{"{{ if eq .Path \"}}\" }}{{ if .Sudo }}x{{ end }}{{ else }}y{{ end }}!", "{{ if eq .Path \"}}\" }}{{ if .Sudo }}x{{ end }}{{ else }}y{{ end }}!"},
	}
	data := map[string]any{"Path": "/tmp/s", "Vars": "A=1", "Sudo": true}
	for _, tc := range cases {
		first, err := Render(tc.in, &Context{UserVariables: map[string]string{"fruit": "Pear"}})
		if err != nil || first != tc.first {
			t.Errorf("first Render(%q) = %q, %v; want %q", tc.in, first, err, tc.first)
			continue
		}
		// The later render gives what one render with everything gives.
		later, err := Render(first, &Context{Data: data, BuildData: map[string]any{"ID": "Null"}})
		whole, wholeErr := Render(tc.in, &Context{Data: data, BuildData: map[string]any{"ID": "Null"}, UserVariables: map[string]string{"fruit": "Pear"}})
		if err != nil || wholeErr != nil || later != whole {
			t.Errorf("later render of %q = %q, %v; one render with everything = %q, %v", first, later, err, whole, wholeErr)
		}
	}
}

func TestRender_errorsNameTheFunctionAndSayWhatToDo(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{{env `HOME`}}", `env: {{env ` + "`HOME`" + `}} can only be used in "variables"`},
		{"{{split `a-b` `-` 3}}", `split: "a-b" split on "-" has 2 parts (0 to 1); index 3 is out of range`},
		{"{{isotime `a` `b`}}", "isotime: takes at most one layout"},
		{"{{template_dir}}", "template_dir: the template was not read from a file"},
		{"{{ unknownfunc }}", `unknown template function "unknownfunc"; the functions are build, build_name`},
		{"{{ user `a` ", `in "{{ user ` + "`a` " + `"`},
		{"{{ .Missing }}", `map has no entry for key "Missing"`},
	}
	for _, tc := range cases {
		_, err := Render(tc.in, &Context{BuildData: map[string]any{"ID": "x"}, Data: map[string]any{}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Render(%q) error = %v\nwant it to contain %q", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "template: ") {
			t.Errorf("Render(%q) error %q shows text/template's internals", tc.in, err)
		}
	}
}

func TestRender_undefinedVariableIsATypedErrorWhenStrict(t *testing.T) {
	_, err := Render("a {{ user `later` }}", &Context{UserVariables: map[string]string{}, StrictUserVariables: true})
	var undefined *UndefinedVariableError
	if !errors.As(err, &undefined) || undefined.Name != "later" {
		t.Fatalf("error = %#v, want an *UndefinedVariableError naming %q", err, "later")
	}
}

func TestRenderInterface_rendersEveryStringAndSaysWhereOneFailed(t *testing.T) {
	ctx := &Context{UserVariables: map[string]string{"a": "A"}}
	in := map[string]any{
		"inline":  []any{"echo {{user `a`}}", 3.0, true, nil},
		"nested":  map[string]any{"k": "{{user `a`}}"},
		"strings": []string{"{{user `a`}}"},
		"n":       3.0,
	}
	got, err := RenderInterface(in, ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"inline":  []any{"echo A", 3.0, true, nil},
		"nested":  map[string]any{"k": "A"},
		"strings": []string{"A"},
		"n":       3.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RenderInterface = %#v\nwant %#v", got, want)
	}
	if in["nested"].(map[string]any)["k"] != "{{user `a`}}" {
		t.Error("RenderInterface changed its input; callers render the same raw config again later")
	}

	_, err = RenderInterface(map[string]any{"ok": "x", "steps": []any{"fine", map[string]any{"cmd": "{{split `a` `-` 5}}"}}}, ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "steps[1].cmd: ") {
		t.Errorf("error = %v, want it to start with the key path steps[1].cmd", err)
	}
}

func TestFunctionNames_listsEveryFunctionPackerUsersWrite(t *testing.T) {
	want := []string{"build", "build_name", "build_type", "env", "isotime", "lower", "packer_version", "pwd", "replace", "replace_all", "split", "template_dir", "timestamp", "upper", "user", "uuid"}
	if got := FunctionNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("FunctionNames = %v\nwant %v", got, want)
	}
}

// TestRender_whatPackerRendersQuietlyIsWarnedAboutWithItsKey: Packer
// renders {{user `x`}} of a variable nobody declared as "" and {{build
// `x`}} of a value the builder did not share as "<no value>"; so does
// this, and says so through Warn, naming the key.
func TestRender_whatPackerRendersQuietlyIsWarnedAboutWithItsKey(t *testing.T) {
	var warnings []string
	ctx := &Context{BuildData: map[string]any{"ID": "Null"}, Warn: func(m string) { warnings = append(warnings, m) }}
	got, err := RenderInterface(map[string]any{"inline": []any{"[{{user `nope`}}] {{build `ID`}} {{build `Host`}}"}}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[] Null <no value>"; got.(map[string]any)["inline"].([]any)[0] != want {
		t.Errorf("rendered %v, want %q as Packer renders it", got, want)
	}
	want := []string{
		"inline[0]: {{user `nope`}}: no variable \"nope\" is declared under \"variables\" or given with -var, so it renders as \"\", as in Packer; declare it or fix the name",
		"inline[0]: {{build `Host`}}: the builder shared no value \"Host\" (it shared \"ID\"), so it renders as \"<no value>\", as in Packer",
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Render("{{user `nope`}}", &Context{}); err != nil {
		t.Errorf("without Warn: %v", err)
	}
}
