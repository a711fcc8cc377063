package template

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fixtures returns the folder of Packer's own fixtures, or skips the test
// when the shared folder is not beside the repository.
func fixtures(t *testing.T, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		candidate := filepath.Join(dir, "..", "shared", "packer-fixtures", rel)
		if _, err := os.Stat(candidate); err == nil {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("Packer's fixtures (../shared/packer-fixtures/%s) are not beside this checkout", rel)
		}
		dir = parent
	}
}

func parseFixture(t *testing.T, name string) (*Template, error) {
	t.Helper()
	return ParseFile(filepath.Join(fixtures(t, "v1.4.0/template/test-fixtures"), name))
}

func TestParse_packersOwnFixturesReadAsPackerReadsThem(t *testing.T) {
	keep := true
	cases := []struct {
		file  string
		check func(t *testing.T, tpl *Template)
	}{
		{"parse-basic.json", func(t *testing.T, tpl *Template) {
			want := map[string]*Builder{"something": {Name: "something", Type: "something", Config: map[string]any{}}}
			if !reflect.DeepEqual(tpl.Builders, want) {
				t.Errorf("builders = %#v", tpl.Builders)
			}
		}},
		{"parse-comment.json", func(t *testing.T, tpl *Template) {
			if len(tpl.Builders) != 1 {
				t.Errorf("builders = %#v", tpl.Builders)
			}
		}},
		{"parse-description.json", func(t *testing.T, tpl *Template) {
			if tpl.Description != "foo" {
				t.Errorf("description = %q", tpl.Description)
			}
		}},
		{"parse-min-version.json", func(t *testing.T, tpl *Template) {
			if tpl.MinVersion != "1.2" {
				t.Errorf("min version = %q", tpl.MinVersion)
			}
		}},
		{"parse-variable-default.json", func(t *testing.T, tpl *Template) {
			if v := tpl.Variables["foo"]; v == nil || v.Default != "foo" || v.Required {
				t.Errorf("variable = %#v", v)
			}
		}},
		{"parse-variable-required.json", func(t *testing.T, tpl *Template) {
			if v := tpl.Variables["foo"]; v == nil || !v.Required {
				t.Errorf("variable = %#v", v)
			}
		}},
		{"parse-provisioner-basic.json", func(t *testing.T, tpl *Template) {
			if len(tpl.Provisioners) != 1 || tpl.Provisioners[0].Type != "something" {
				t.Errorf("provisioners = %#v", tpl.Provisioners)
			}
		}},
		{"parse-provisioner-pause-before.json", func(t *testing.T, tpl *Template) {
			if tpl.Provisioners[0].PauseBefore != time.Second {
				t.Errorf("pause_before = %v", tpl.Provisioners[0].PauseBefore)
			}
		}},
		{"parse-provisioner-timeout.json", func(t *testing.T, tpl *Template) {
			if tpl.Provisioners[0].Timeout != 5*time.Minute {
				t.Errorf("timeout = %v", tpl.Provisioners[0].Timeout)
			}
		}},
		{"parse-provisioner-only.json", func(t *testing.T, tpl *Template) {
			if !reflect.DeepEqual(tpl.Provisioners[0].Only, []string{"foo"}) {
				t.Errorf("only = %v", tpl.Provisioners[0].Only)
			}
		}},
		{"parse-provisioner-except.json", func(t *testing.T, tpl *Template) {
			if !reflect.DeepEqual(tpl.Provisioners[0].Except, []string{"foo"}) {
				t.Errorf("except = %v", tpl.Provisioners[0].Except)
			}
		}},
		{"parse-provisioner-override.json", func(t *testing.T, tpl *Template) {
			if !reflect.DeepEqual(tpl.Provisioners[0].Override, map[string]any{"foo": map[string]any{}}) {
				t.Errorf("override = %v", tpl.Provisioners[0].Override)
			}
		}},
		{"parse-pp-basic.json", func(t *testing.T, tpl *Template) {
			want := [][]*PostProcessor{{{Name: "foo", Type: "foo", Config: map[string]any{"foo": "bar"}}}}
			if !reflect.DeepEqual(tpl.PostProcessors, want) {
				t.Errorf("post-processors = %#v", tpl.PostProcessors[0][0])
			}
		}},
		{"parse-pp-keep.json", func(t *testing.T, tpl *Template) {
			if got := tpl.PostProcessors[0][0].KeepInputArtifact; got == nil || *got != keep {
				t.Errorf("keep_input_artifact = %v", got)
			}
		}},
		{"parse-pp-only.json", func(t *testing.T, tpl *Template) {
			if !reflect.DeepEqual(tpl.PostProcessors[0][0].Only, []string{"bar"}) {
				t.Errorf("only = %v", tpl.PostProcessors[0][0].Only)
			}
		}},
		{"parse-pp-string.json", func(t *testing.T, tpl *Template) {
			if len(tpl.PostProcessors) != 1 || tpl.PostProcessors[0][0].Type != "foo" {
				t.Errorf("post-processors = %#v", tpl.PostProcessors)
			}
		}},
		{"parse-pp-slice.json", func(t *testing.T, tpl *Template) {
			if len(tpl.PostProcessors) != 2 || tpl.PostProcessors[0][0].Type != "foo" || tpl.PostProcessors[1][0].Type != "bar" {
				t.Errorf("want two chains of one, got %#v", tpl.PostProcessors)
			}
		}},
		{"parse-pp-multi.json", func(t *testing.T, tpl *Template) {
			if len(tpl.PostProcessors) != 1 || len(tpl.PostProcessors[0]) != 2 {
				t.Errorf("want one chain of two, got %#v", tpl.PostProcessors)
			}
		}},
		{"parse-monolithic.json", func(t *testing.T, tpl *Template) {
			if len(tpl.Builders) != 2 || len(tpl.Provisioners) != 2 || !reflect.DeepEqual(tpl.SensitiveVariables, []string{"one"}) {
				t.Errorf("monolithic template read as %#v", tpl)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			tpl, err := parseFixture(t, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tpl)
		})
	}
}

func TestParse_brokenTemplatesAreErrorsThatSayWhere(t *testing.T) {
	cases := map[string][]string{
		"parse-builder-no-type.json":     {"builder 1", `missing "type"`},
		"parse-builder-repeat.json":      {"builder 2", `build named "something" is declared twice`},
		"parse-pp-no-type.json":          {"post-processor 1", `missing "type"`},
		"parse-provisioner-no-type.json": {"provisioner 1", `missing "type"`},
		"error-beginning.json":           {"line 1, column 1", "malformed JSON"},
		"error-middle.json":              {"line 5, column 5", "malformed JSON"},
		"error-end.json":                 {"line 1, column 30", "malformed JSON"},
		"malformed.json":                 {"line 16, column 2", "malformed JSON"},
	}
	for file, wants := range cases {
		t.Run(file, func(t *testing.T) {
			_, err := parseFixture(t, file)
			for _, want := range append(wants, file) {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

func TestValidate_checksBuildNamesAndBuildersAllAtOnce(t *testing.T) {
	for file, want := range map[string]string{
		"validate-no-builders.json":       "no builders are defined",
		"validate-bad-override.json":      `"override" names build "bar", which is not defined`,
		"validate-bad-prov-only.json":     `"only" names build "bar", which is not defined`,
		"validate-bad-prov-except.json":   `"except" names build "bar", which is not defined`,
		"validate-bad-pp-only.json":       `"only" names build "bar", which is not defined`,
		"validate-bad-pp-except.json":     `"except" names build "bar", which is not defined`,
		"validate-good-override.json":     "",
		"validate-good-prov-only.json":    "",
		"validate-good-prov-except.json":  "",
		"validate-good-pp-only.json":      "",
		"validate-good-pp-except.json":    "",
		"validate-good-prov-timeout.json": "",
	} {
		t.Run(file, func(t *testing.T) {
			tpl, err := parseFixture(t, file)
			if err != nil {
				t.Fatal(err)
			}
			err = tpl.Validate()
			if want == "" && err != nil {
				t.Errorf("Validate = %v, want no error", err)
			}
			if want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
				t.Errorf("Validate = %v\nwant %q", err, want)
			}
		})
	}
}

func TestParse_reportsEveryProblemAtOnce(t *testing.T) {
	_, err := Parse(strings.NewReader(`{
		"bogus": 1,
		"builders": [{"name": "a"}, {"type": "null", "name": "b"}, {"type": "null", "name": "b"}],
		"provisioners": [{"type": "shell", "pause_before": "soon"}]
	}`))
	for _, want := range []string{`unknown top-level key "bogus"`, `builder 1: missing "type"`, `build named "b" is declared twice`, `"pause_before": soon is not a duration`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestParse_refusesWhatIsNotATemplate(t *testing.T) {
	if _, err := Parse(strings.NewReader("\xff\xfe{}")); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("binary input: %v", err)
	}
	huge := strings.NewReader(`{"description": "` + strings.Repeat("x", MaxSize) + `"}`)
	if _, err := Parse(huge); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge input: %v", err)
	}
}

func TestEveryPackerCommandFixtureThatIsValidParses(t *testing.T) {
	root := fixtures(t, "v1.9.5/command/test-fixtures")
	for _, dir := range []string{"build-only/template.json", "build-only/not-found.json", "build-variable-sharing/template.json", "build-name-and-type/all.json", "var-arg/fruit_builder.json"} {
		tpl, err := ParseFile(filepath.Join(root, dir))
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if err := tpl.Validate(); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

func TestResolveVariables_givenValuesWinOverRenderedDefaults(t *testing.T) {
	t.Setenv("FRUIT_TEST_HOME", "/home/fruit")
	tpl, err := Parse(strings.NewReader(`{
		"variables": {"home": "{{env ` + "`FRUIT_TEST_HOME`" + `}}", "dir": "{{user ` + "`home`" + `}}/src", "fruit": null, "colour": "red"},
		"builders": [{"type": "null"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	values, err := tpl.ResolveVariables(map[string]string{"fruit": "pear", "colour": "green"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"home": "/home/fruit", "dir": "/home/fruit/src", "fruit": "pear", "colour": "green"}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("values = %v, want %v", values, want)
	}
}

func TestResolveVariables_missingRequiredAndUndeclaredAreNamed(t *testing.T) {
	tpl, err := ParseFile(filepath.Join(fixtures(t, "v1.9.5/command/test-fixtures"), "var-arg/fruit_builder.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.ResolveVariables(map[string]string{"vegetable": "leek"}, nil)
	for _, want := range []string{`required variable "fruit" has no value`, "-var fruit=VALUE", `variable "vegetable", which the template does not declare`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v\nwant %q", err, want)
		}
	}
}

func TestReadVarFile_readsPackersVarFiles(t *testing.T) {
	values, err := ReadVarFile(filepath.Join(fixtures(t, "v1.9.5/command/test-fixtures"), "var-arg/apple.json"))
	if err != nil || values["fruit"] != "apple" {
		t.Fatalf("ReadVarFile = %v, %v", values, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"fruit": }`), 0o644)
	if _, err := ReadVarFile(bad); err == nil || !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad var file: %v", err)
	}
}

func TestOnlyExcept_skip(t *testing.T) {
	only := OnlyExcept{Only: []string{"a"}}
	except := OnlyExcept{Except: []string{"a"}}
	if only.Skip("a") || !only.Skip("b") || !except.Skip("a") || except.Skip("b") || (&OnlyExcept{}).Skip("x") {
		t.Error("Skip does not follow only/except")
	}
}

func TestParse_deepNestingIsAnErrorNotAStackOverflow(t *testing.T) {
	deep := `{"builders": [{"type": "null", "x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}]}`
	_, err := Parse(strings.NewReader(deep))
	if err == nil || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("Parse of 100k nested arrays = %v, want a clear error", err)
	}
}
