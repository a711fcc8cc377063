package template

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

func coreFixture(t *testing.T, name string) *Template {
	t.Helper()
	tpl, err := ParseFile(filepath.Join(fixtures(t, "v1.9.5/packer/test-fixtures"), name))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// The cases of Packer 1.9.5's own tests of variable resolution
// (packer/core_test.go: TestCore_InterpolateUserVars, ..._VarFile,
// TestEnvAndFileVars, TestCoreBuild_IgnoreTemplateVariables, TestCoreValidate)
// on their fixtures, with the values Packer resolved.
func TestResolveVariables_resolvesPackersFixturesAsPackerDid(t *testing.T) {
	t.Setenv("INTERPOLATE_TEST_ENV_1", "bulbasaur")
	t.Setenv("INTERPOLATE_TEST_ENV_2", "5")
	t.Setenv("INTERPOLATE_TEST_ENV_3", "/path/to/nowhere")
	t.Setenv("INTERPOLATE_TEST_ENV_4", "bananas")
	t.Setenv("PACKER_TEST_ENV", "test")
	cases := []struct {
		file  string
		given map[string]string
		want  map[string]string
	}{
		{"build-variables-interpolate.json", nil, map[string]string{"foo": "bar", "bar": "bar", "baz": "barbaz", "bang": "bangbarbaz"}},
		{
			"build-basic-interpolated.json",
			map[string]string{"name": "gotta-{{user `my_var`}}", "my_var": "interpolate-em-all"},
			map[string]string{"name": "gotta-interpolate-em-all", "my_var": "interpolate-em-all"},
		},
		{
			"build-basic-interpolated-required.json",
			map[string]string{"name": "gotta-{{user `my_var`}}", "my_var": "interpolate-em-all"},
			map[string]string{"name": "gotta-interpolate-em-all", "my_var": "interpolate-em-all"},
		},
		{
			"complex-recursed-env-user-var-file.json",
			map[string]string{
				"var_1":     "partyparrot",
				"var_2":     "{{user `env_1`}}-{{user `env_2`}}{{user `env_3`}}-{{user `var_1`}}",
				"final_var": "{{user `env_1`}}/{{user `env_2`}}/{{user `env_4`}}{{user `env_3`}}-{{user `var_1`}}/vmware/{{user `var_2`}}.vmx",
			},
			map[string]string{
				"var_1":     "partyparrot",
				"var_2":     "bulbasaur-5/path/to/nowhere-partyparrot",
				"final_var": "bulbasaur/5/bananas/path/to/nowhere-partyparrot/vmware/bulbasaur-5/path/to/nowhere-partyparrot.vmx",
				"env_1":     "bulbasaur",
				"env_2":     "5",
				"env_3":     "/path/to/nowhere",
				"env_4":     "bananas",
			},
		},
		{
			"build-ignore-template-variable.json", nil,
			map[string]string{"var": "test_{{ .PACKER_TEST_TEMP }}", "http_ip": "{{ .HTTPIP }}", "array_var": "us-west-1,us-west-2"},
		},
		{"validate-req-variable.json", map[string]string{"foo": "bar"}, map[string]string{"foo": "bar"}},
		{"build-var-packer-version.json", nil, map[string]string{"CreatedBy": "1.2.3"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			got, err := coreFixture(t, tc.file).ResolveVariables(tc.given, &interpolate.Context{PackerVersion: "1.2.3"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ResolveVariables = %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestResolveVariables_problemsAreReportedTogetherEachNamed(t *testing.T) {
	cases := []struct {
		name  string
		tpl   *Template
		given map[string]string
		wants []string
	}{
		{
			// Packer: TestCore_InterpolateUserVars, build-variables-interpolate2.json.
			"a variable uses one that does not exist", coreFixture(t, "build-variables-interpolate2.json"), nil,
			[]string{"build-variables-interpolate2.json: variable \"bar\" uses {{user `foo`}}, but no variable \"foo\" is declared under \"variables\" or given with -var"},
		},
		{
			// Packer: TestCoreValidate, validate-req-variable.json.
			"a required variable is not given", coreFixture(t, "validate-req-variable.json"), nil,
			[]string{`validate-req-variable.json: required variable "foo" has no value; pass -var foo=VALUE or put it in a -var-file`},
		},
		{
			"several required variables are one error naming each", mustParse(t, `{"variables": {"b": null, "a": null, "c": "{{user `+"`a`"+`}}"}}`), nil,
			[]string{`template: required variables "a", "b" have no value; pass -var a=VALUE -var b=VALUE or put them in a -var-file`},
		},
		{
			"variables that use each other", mustParse(t, `{"variables": {"a": "{{user `+"`b`"+`}}", "b": "x{{user `+"`a`"+`}}", "c": "fine"}}`), nil,
			[]string{`template: variables refer to each other in a circle, so none of them has a value ("a" uses "b", "b" uses "a")`},
		},
		{
			"a given value that does not render", mustParse(t, `{"variables": {"a": "x"}}`), map[string]string{"a": "{{ nope }}"},
			[]string{`template: variable "a": in "{{ nope }}": unknown template function "nope"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			values, err := tc.tpl.ResolveVariables(tc.given, nil)
			var merr *multierror.Error
			if values != nil || !errors.As(err, &merr) || len(merr.Errors) != len(tc.wants) {
				t.Fatalf("ResolveVariables = %v, %v\nwant %d problems", values, err, len(tc.wants))
			}
			for i, want := range tc.wants {
				if !strings.Contains(merr.Errors[i].Error(), want) {
					t.Errorf("problem %d = %v\nwant it to contain %q", i+1, merr.Errors[i], want)
				}
			}
		})
	}
}

func TestResolveVariables_givenValuesWinAndTheRunContextIsUsed(t *testing.T) {
	t.Setenv("FRUIT_TEST_HOME", "/home/fruit")
	tpl := mustParse(t, `{
		"variables": {
			"dir": "{{user `+"`home`"+`}}/src",
			"home": "{{env `+"`FRUIT_TEST_HOME`"+`}}",
			"fruit": null,
			"colour": "red",
			"stamp": "{{timestamp}}",
			"image": "{{ build_name }}-{{ .Later }}-{{ build `+"`ID`"+` }}"
		}
	}`)
	ctx := &interpolate.Context{Now: time.Unix(1700000000, 0), BuildName: "core"}
	values, err := tpl.ResolveVariables(map[string]string{"fruit": "pear", "colour": "green", "extra": "{{ user `fruit` }}!"}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"home": "/home/fruit", "dir": "/home/fruit/src", "fruit": "pear", "colour": "green",
		"stamp": "1700000000", "image": "core-{{ .Later }}-{{ build `ID` }}", "extra": "pear!",
	}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("values = %v\nwant %v", values, want)
	}
	if got := tpl.UndeclaredVariables(map[string]string{"fruit": "x", "extra": "y", "another": "z"}); !reflect.DeepEqual(got, []string{"another", "extra"}) {
		t.Errorf("UndeclaredVariables = %v", got)
	}
}

// Packer: TestSensitiveVars on sensitive-variables.json.
func TestSensitiveValues_areTheResolvedValuesOfTheListedVariables(t *testing.T) {
	tpl := coreFixture(t, "sensitive-variables.json")
	values, err := tpl.ResolveVariables(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.SensitiveValues(values); !reflect.DeepEqual(got, []string{"bar_extra_sensitive_probably_a_password"}) {
		t.Errorf("SensitiveValues = %v", got)
	}
	tpl.SensitiveVariables = []string{"bang", "blank"}
	values, err = tpl.ResolveVariables(map[string]string{"bang": "{{ user `foo`}}", "blank": " "}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.SensitiveValues(values); !reflect.DeepEqual(got, []string{"bar_extra_sensitive_probably_a_password"}) {
		t.Errorf("SensitiveValues of a given value that uses another = %v; a blank one is never masked", got)
	}
}

func TestSensitiveValuesAsWritten_areTheGivenValuesElseTheDefaults(t *testing.T) {
	tpl, err := Parse(strings.NewReader(`{"variables": {"key": "default-{{user ` + "`other`" + `}}", "token": "t0k", "other": "x", "blank": " "},
		"sensitive-variables": ["key", "token", "blank", "undeclared"], "builders": [{"type": "null"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := tpl.SensitiveValuesAsWritten(map[string]string{"token": "given", "undeclared": "u"})
	sort.Strings(got)
	if want := []string{"default-{{user `other`}}", "given", "u"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SensitiveValuesAsWritten = %q, want %q", got, want)
	}
}

func TestReadVarFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := []struct {
		name string
		path string
		want map[string]string
		err  string
	}{
		{"Packer's var-arg fixture", filepath.Join(fixtures(t, "v1.9.5/command/test-fixtures"), "var-arg/apple.json"), map[string]string{"fruit": "apple"}, ""},
		{"Packer's interpolating var file", filepath.Join(fixtures(t, "v1.9.5/packer/test-fixtures"), "build-var-file-interpolate.json"), map[string]string{"name": "{{ user `my_var` }}"}, ""},
		{"numbers and booleans as text", write("n.json", `{"size": 40960, "ratio": 1.5, "on": true}`), map[string]string{"size": "40960", "ratio": "1.5", "on": "true"}, ""},
		{"a list value (Packer's undeclared.json)", filepath.Join(fixtures(t, "v1.9.5/command/test-fixtures"), "validate/var-file-tests/undeclared.json"), nil, `undeclared.json: line 2: variable "unused" must be a string, not a list`},
		{"malformed", write("bad.json", "{\n \"fruit\": }"), nil, "var file " + filepath.Join(dir, "bad.json") + ": line 2, column 11 (offset 13): malformed JSON"},
		{"not an object", write("list.json", `["fruit"]`), nil, `a var file is a JSON object like {"name": "value"}`},
		{"a key twice", write("twice.json", `{"fruit": "a", "fruit": "b"}`), nil, `key "fruit" appears twice`},
		{"missing", filepath.Join(dir, "nope.json"), nil, "reading var file: open " + filepath.Join(dir, "nope.json")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadVarFile(tc.path)
			if tc.err == "" && (err != nil || !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("ReadVarFile = %v, %v; want %v", got, err, tc.want)
			}
			if tc.err != "" && (got != nil || err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("ReadVarFile = %v, %v\nwant an error containing %q", got, err, tc.err)
			}
		})
	}
}

func mustParse(t *testing.T, s string) *Template {
	t.Helper()
	tpl, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}
