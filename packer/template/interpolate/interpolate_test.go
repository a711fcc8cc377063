package interpolate

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRender_templateFunctions(t *testing.T) {
	t.Setenv("INTERPOLATE_TEST", "from-env")
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	ctx := &Context{
		UserVariables: map[string]string{"fruit": "Pear"},
		BuildName:     "potato", BuildType: "null",
		BuildData:     map[string]any{"ID": "Null"},
		TemplatePath:  filepath.Join("dir", "t.json"),
		PackerVersion: "1.2.3",
		Now:           now,
		EnableEnv:     true,
	}
	wd, _ := os.Getwd()
	absDir, _ := filepath.Abs("dir")
	for in, want := range map[string]string{
		"{{user `fruit`}}":                           "Pear",
		"{{ lower (user `fruit`) }}-{{ upper `x` }}": "pear-X",
		"{{env `INTERPOLATE_TEST`}}":                 "from-env",
		"{{timestamp}}":                              "1795343400",
		"{{isotime}}":                                "2026-11-22T10:30:00Z",
		"{{isotime `2006-01-02`}}":                   "2026-11-22",
		"{{build_name}}/{{build_type}}":              "potato/null",
		"provisioner.{{ build `ID`}}.txt":            "provisioner.Null.txt",
		"{{pwd}}":                                    wd,
		"{{template_dir}}":                           absDir,
		"{{split `a-b-c` `-` 1}}":                    "b",
		"{{replace `a` `b` 1 `aaa`}}":                "baa",
		"{{replace_all `a` `b` `aaa`}}":              "bbb",
		"{{packer_version}}":                         "1.2.3",
		"no actions":                                 "no actions",
	} {
		got, err := Render(in, ctx)
		if err != nil || got != want {
			t.Errorf("Render(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	id, err := Render("{{uuid}}", ctx)
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("uuid = %q, %v", id, err)
	}
}

func TestRender_leavesComponentFieldsAndBuildValuesForLater(t *testing.T) {
	in := "chmod +x {{.Path}}; {{ .Vars }} {{.Path}} {{user `x`}} {{ build `ID` }}"
	got, err := Render(in, &Context{UserVariables: map[string]string{"x": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "chmod +x {{.Path}}; {{ .Vars }} {{.Path}} 1 {{ build `ID` }}"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	// The second render, with the build's data, fills them in.
	got, err = Render(got, &Context{BuildData: map[string]any{"ID": "Null"}, Data: map[string]string{"Path": "/tmp/s", "Vars": "A=1"}})
	if err != nil || got != "chmod +x /tmp/s; A=1 /tmp/s 1 Null" {
		t.Errorf("second render = %q, %v", got, err)
	}
}

func TestRender_errorsSayWhatToDo(t *testing.T) {
	for in, want := range map[string]string{
		"{{user `nope`}}":     `user variable "nope" is not defined`,
		"{{env `HOME`}}":      "env can only be used in the default value of a variable",
		"{{ build `IP` }}":    `the builder shared no build value "IP"`,
		"{{split `a` `-` 3}}": "index 3 is out of range",
		"{{ unknownfunc }}":   `function "unknownfunc" not defined`,
	} {
		_, err := Render(in, &Context{BuildData: map[string]any{"ID": "x"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Render(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestRenderInterface_walksNestedConfig(t *testing.T) {
	in := map[string]any{"inline": []any{"echo {{user `a`}}"}, "n": 3.0, "nested": map[string]any{"k": "{{user `a`}}"}}
	got, err := RenderInterface(in, &Context{UserVariables: map[string]string{"a": "A"}})
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["inline"].([]any)[0] != "echo A" || m["nested"].(map[string]any)["k"] != "A" || m["n"] != 3.0 {
		t.Errorf("RenderInterface = %#v", got)
	}
}
