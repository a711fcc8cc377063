package template

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

// fixtures returns a folder of Packer's own fixtures
// (../shared/packer-fixtures beside the repository), or skips the test
// when this checkout has no shared folder beside it.
func fixtures(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
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

// parserFixture is the path of one of Packer 1.4.0's template parser
// fixtures.
func parserFixture(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(fixtures(t, "v1.4.0/template/test-fixtures"), name)
}

// cfg is a component configuration as the parser leaves it.
func cfg(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func pp(typ string, config map[string]any) *PostProcessor {
	return &PostProcessor{Name: typ, Type: typ, Config: config}
}

func yes() *bool { b := true; return &b }

// TestParseFile_readsPackersOwnParserFixturesAsPackerDid holds the
// template each of Packer 1.4.0's parser fixtures gave in Packer's own
// tests (template/parse_test.go). Where Packer kept an empty configuration
// as nil this parser gives an empty map, and "push" (Atlas, long gone) is
// accepted and dropped.
func TestParseFile_readsPackersOwnParserFixturesAsPackerDid(t *testing.T) {
	empty := map[string]*Variable{}
	noBuilders := map[string]*Builder{}
	cases := []struct {
		file string
		want *Template
	}{
		{"parse-basic.json", &Template{Builders: map[string]*Builder{"something": {Name: "something", Type: "something", Config: cfg()}}}},
		{"parse-basic-config.json", &Template{Builders: map[string]*Builder{"something": {Name: "something", Type: "something", Config: cfg("foo", "bar")}}}},
		{"parse-provisioner-basic.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg()}}}},
		{"parse-provisioner-config.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg("inline", "echo 'foo'")}}}},
		{"parse-provisioner-pause-before.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg(), PauseBefore: time.Second}}}},
		{"parse-provisioner-timeout.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg(), Timeout: 5 * time.Minute}}}},
		{"parse-provisioner-only.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg(), OnlyExcept: OnlyExcept{Only: []string{"foo"}}}}}},
		{"parse-provisioner-except.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg(), OnlyExcept: OnlyExcept{Except: []string{"foo"}}}}}},
		{"parse-provisioner-override.json", &Template{Provisioners: []*Provisioner{{Type: "something", Config: cfg(), Override: cfg("foo", cfg())}}}},
		{"parse-variable-default.json", &Template{Variables: map[string]*Variable{"foo": {Key: "foo", Default: "foo"}}}},
		{"parse-variable-required.json", &Template{Variables: map[string]*Variable{"foo": {Key: "foo", Required: true}}}},
		{"parse-pp-basic.json", &Template{PostProcessors: [][]*PostProcessor{{pp("foo", cfg("foo", "bar"))}}}},
		{"parse-pp-keep.json", &Template{PostProcessors: [][]*PostProcessor{{{Name: "foo", Type: "foo", KeepInputArtifact: yes(), Config: cfg()}}}}},
		{"parse-pp-only.json", &Template{PostProcessors: [][]*PostProcessor{{{Name: "foo", Type: "foo", Config: cfg(), OnlyExcept: OnlyExcept{Only: []string{"bar"}}}}}}},
		{"parse-pp-except.json", &Template{PostProcessors: [][]*PostProcessor{{{Name: "foo", Type: "foo", Config: cfg(), OnlyExcept: OnlyExcept{Except: []string{"bar"}}}}}}},
		{"parse-pp-string.json", &Template{PostProcessors: [][]*PostProcessor{{pp("foo", cfg())}}}},
		{"parse-pp-map.json", &Template{PostProcessors: [][]*PostProcessor{{pp("foo", cfg())}}}},
		{"parse-pp-slice.json", &Template{PostProcessors: [][]*PostProcessor{{pp("foo", cfg())}, {pp("bar", cfg())}}}},
		{"parse-pp-multi.json", &Template{PostProcessors: [][]*PostProcessor{{pp("foo", cfg()), pp("bar", cfg())}}}},
		{"parse-description.json", &Template{Description: "foo"}},
		{"parse-min-version.json", &Template{MinVersion: "1.2"}},
		{"parse-push.json", &Template{}},
		{"parse-comment.json", &Template{
			Builders: map[string]*Builder{"something": {Name: "something", Type: "something", Config: cfg()}},
			Comments: map[string]string{"_info": "foo"},
		}},
		{"parse-monolithic.json", &Template{
			Comments:           map[string]string{"_comment": "comment"},
			Description:        "Description Test",
			MinVersion:         "1.3.0",
			SensitiveVariables: []string{"one"},
			Variables: map[string]*Variable{
				"one":   {Key: "one", Default: "1"},
				"two":   {Key: "two", Default: "2"},
				"three": {Key: "three", Required: true},
			},
			Builders: map[string]*Builder{
				"amazon-ebs": {Name: "amazon-ebs", Type: "amazon-ebs", Config: cfg("ami_name", "AMI Name", "instance_type", "t2.micro", "ssh_username", "ec2-user", "source_ami", "ami-aaaaaaaaaaaaaa")},
				"docker":     {Name: "docker", Type: "docker", Config: cfg("image", "ubuntu", "export_path", "image.tar")},
			},
			Provisioners: []*Provisioner{
				{Type: "shell", Config: cfg("script", "script.sh")},
				{Type: "shell", Config: cfg("script", "script.sh"), Override: cfg("docker", cfg("execute_command", "echo 'override'"))},
			},
			PostProcessors: [][]*PostProcessor{
				{pp("compress", cfg()), {Name: "vagrant", Type: "vagrant", Config: cfg(), OnlyExcept: OnlyExcept{Only: []string{"docker"}}}},
				{{Name: "shell-local", Type: "shell-local", Config: cfg("inline", []any{"echo foo"}), OnlyExcept: OnlyExcept{Except: []string{"amazon-ebs"}}}},
			},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := parserFixture(t, tc.file)
			got, err := ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Path = path
			if want.Variables == nil {
				want.Variables = empty
			}
			if want.Builders == nil {
				want.Builders = noBuilders
			}
			want.RequiredPlugins = map[string]*RequiredPlugin{}
			want.RawContents, _ = os.ReadFile(path)
			if !reflect.DeepEqual(got, want) {
				gotJSON, _ := json.MarshalIndent(got, "", " ")
				wantJSON, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("ParseFile(%s) =\n%s\nwant\n%s", tc.file, gotJSON, wantJSON)
			}
		})
	}
}

func TestParseFile_keepsTheFileExactlyAsRead(t *testing.T) {
	tpl, err := ParseFile(parserFixture(t, "parse-contents.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(tpl.RawContents)); got != `{"builders":[{"type":"test"}]}` {
		t.Errorf("RawContents = %q", got)
	}
}

// Packer 1.4.0 asserted, for its malformed fixtures, "line 1, column 1
// (offset 1)", "line 5, column 6 (offset 50)", "line 1, column 30 (offset
// 30)" and "line 16, column 3 (offset 433)". Its column was one too many
// on every line but the first (it restarted counting at 1 after a newline,
// at 0 on line 1); the columns here are where an editor puts the cursor on
// the offending character, and lines and offsets are Packer's.
func TestParseFile_malformedJSONSaysTheLineAndColumn(t *testing.T) {
	cases := []struct{ file, where, shows string }{
		{"error-beginning.json", "line 1, column 1 (offset 1): malformed JSON: invalid character '*'", "    1: *\"builders\""},
		{"error-middle.json", "line 5, column 5 (offset 50): malformed JSON: invalid character '}'", "    5:     }\n           ^"},
		{"error-end.json", "line 1, column 30 (offset 30): malformed JSON: invalid character '*' after object key:value pair", "^"},
		{"malformed.json", "line 16, column 2 (offset 433): malformed JSON: invalid character ']'", "   16: }]\n        ^"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := parserFixture(t, tc.file)
			_, err := ParseFile(path)
			for _, want := range []string{path + ": " + tc.where, tc.shows} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

func TestParseFile_packersBrokenFixturesAreErrorsThatSayWhere(t *testing.T) {
	cases := []struct{ file, want string }{
		{"parse-builder-no-type.json", `builder 1: missing "type": every builder says which builder it uses`},
		{"parse-builder-repeat.json", `builder 2: a build named "something" is already declared`},
		{"parse-provisioner-no-type.json", `provisioner 1: missing "type"`},
		{"parse-pp-no-type.json", `post-processor 1: missing "type"`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := parserFixture(t, tc.file)
			tpl, err := ParseFile(path)
			if tpl != nil || err == nil || !strings.Contains(err.Error(), path+": "+tc.want) {
				t.Errorf("ParseFile = %v, %v\nwant an error containing %q", tpl, err, path+": "+tc.want)
			}
		})
	}
}

// TestValidate_packersOwnValidateFixtures holds the outcome of each of
// Packer 1.4.0's validation fixtures (template/template_test.go), with
// the message each bad one gives here.
func TestValidate_packersOwnValidateFixtures(t *testing.T) {
	cases := []struct{ file, want string }{
		{"validate-no-builders.json", `no builders are defined; a template needs at least one entry in "builders"`},
		{"validate-bad-override.json", `provisioner 1 (bar): "override" names build "bar", which is not defined (the only build is "foo")`},
		{"validate-bad-prov-only.json", `provisioner 1 (bar): "only" names build "bar", which is not defined`},
		{"validate-bad-prov-except.json", `provisioner 1 (bar): "except" names build "bar", which is not defined`},
		{"validate-bad-pp-only.json", `post-processor 1 (bar): "only" names build "bar", which is not defined`},
		{"validate-bad-pp-except.json", `post-processor 1 (bar): "except" names build "bar", which is not defined`},
		{"validate-good-override.json", ""},
		{"validate-good-prov-only.json", ""},
		{"validate-good-prov-except.json", ""},
		{"validate-good-pp-only.json", ""},
		{"validate-good-pp-except.json", ""},
		{"validate-good-prov-timeout.json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(parserFixture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tpl, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			err = tpl.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), "template: "+tc.want)):
				t.Errorf("Validate = %v\nwant %q", err, tc.want)
			}
		})
	}
}

func TestValidate_reportsEveryProblemAtOnce(t *testing.T) {
	tpl, err := Parse(strings.NewReader(`{
		"builders": [{"type": "null", "name": "a"}, {"type": "null", "name": "b"}],
		"provisioners": [{"type": "shell", "only": ["a", "x"], "override": {"y": {}}}],
		"error-cleanup-provisioner": {"type": "shell-local", "except": ["z"]},
		"post-processors": [["compress", {"type": "manifest", "only": ["w"]}]]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	err = tpl.Validate()
	var merr *multierror.Error
	if !errors.As(err, &merr) || len(merr.Errors) != 4 {
		t.Fatalf("Validate = %v, want one multierror of 4 problems", err)
	}
	for _, want := range []string{
		`provisioner 1 (shell): "only" names build "x", which is not defined (the builds are "a", "b")`,
		`provisioner 1 (shell): "override" names build "y"`,
		`error-cleanup-provisioner (shell-local): "except" names build "z"`,
		`post-processor 1.2 (manifest): "only" names build "w"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestOnlyExcept_Skip(t *testing.T) {
	cases := []struct {
		only, except []string
		build        string
		skip         bool
	}{
		{[]string{"foo"}, nil, "foo", false},
		{[]string{"foo"}, nil, "bar", true},
		{nil, []string{"foo"}, "foo", true},
		{nil, []string{"foo"}, "bar", false},
		{nil, nil, "foo", false},
	}
	for _, tc := range cases {
		oe := &OnlyExcept{Only: tc.only, Except: tc.except}
		if got := oe.Skip(tc.build); got != tc.skip {
			t.Errorf("OnlyExcept{Only: %v, Except: %v}.Skip(%q) = %v, want %v", tc.only, tc.except, tc.build, got, tc.skip)
		}
	}
}

// Every JSON template among Packer 1.9.5's command and core fixtures parses
// and validates, but those Packer's own tests use to show an error.
func TestParseFile_everyPackerTemplateMeantToBeValidIsValid(t *testing.T) {
	notTemplates := map[string]string{
		"command/test-fixtures/var-arg/apple.json":                      "a -var-file",
		"command/test-fixtures/validate/var-file-tests/undeclared.json": "a -var-file",
		"packer/test-fixtures/build-var-file-interpolate.json":          "a -var-file",
		"packer/test-fixtures/build-var-file-interpolate2.json":         "a -var-file",
	}
	wantErr := map[string]string{
		"command/test-fixtures/fix-invalid/template.json":    `unknown top-level key "hello"`,
		"command/test-fixtures/validate-invalid/broken.json": `line 9, column 19 (offset 134): "provisioners" must be a list, not a JSON string`,
		"command/test-fixtures/inspect/unset_var.json":       "no builders are defined",
		"packer/test-fixtures/validate-dup-builder.json":     `"only" names build "bar", which is not defined`,
	}
	root := fixtures(t, "v1.9.5")
	var seen int
	for _, dir := range []string{"command/test-fixtures", "packer/test-fixtures"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if _, ok := notTemplates[rel]; ok {
				return nil
			}
			seen++
			t.Run(rel, func(t *testing.T) {
				tpl, err := ParseFile(path)
				if err == nil {
					err = tpl.Validate()
				}
				want, bad := wantErr[rel]
				switch {
				case !bad && err != nil:
					t.Errorf("%v", err)
				case bad && (err == nil || !strings.Contains(err.Error(), want)):
					t.Errorf("error = %v\nwant it to contain %q", err, want)
				}
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen < 40 {
		t.Errorf("only %d templates found under %s; the fixtures are incomplete", seen, root)
	}
}

func TestParseFile_readsWhatTheCommandFixturesUse(t *testing.T) {
	root := fixtures(t, "v1.9.5/command/test-fixtures")
	tpl, err := ParseFile(filepath.Join(root, "cleanup-script/template.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Provisioner{Type: "shell-local", Config: cfg("inline", []any{"echo 'rubber ducky'> ducky.txt"})}
	if !reflect.DeepEqual(tpl.ErrorCleanupProvisioner, want) {
		t.Errorf("error-cleanup-provisioner = %#v", tpl.ErrorCleanupProvisioner)
	}

	tpl, err = ParseFile(filepath.Join(root, "build-only/not-found.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.PostProcessors[1][0]; got.Name != "shell-local" || !reflect.DeepEqual(got.Only, []string{"chocolate"}) {
		t.Errorf("unnamed post-processor = %#v", got)
	}
	if got := tpl.BuildNames(); !reflect.DeepEqual(got, []string{"chocolate", "vanilla"}) {
		t.Errorf("BuildNames = %v", got)
	}

	tpl, err = ParseFile(filepath.Join(root, "timeout/template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Provisioners[0].Timeout != 5*time.Second || tpl.Provisioners[2].Timeout != time.Millisecond || tpl.Provisioners[1].Timeout != 0 {
		t.Errorf("timeouts = %v, %v, %v", tpl.Provisioners[0].Timeout, tpl.Provisioners[1].Timeout, tpl.Provisioners[2].Timeout)
	}

	tpl, err = ParseFile(filepath.Join(fixtures(t, "v1.9.5/packer/test-fixtures"), "build-prov-retry.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Provisioners[0].MaxRetries != 1 || tpl.Provisioners[1].MaxRetries != 1 {
		t.Errorf("max_retries 1 and \"1\" read as %d and %d", tpl.Provisioners[0].MaxRetries, tpl.Provisioners[1].MaxRetries)
	}
}

func TestParseFile_namesTheFileItCannotRead(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	if _, err := ParseFile(missing); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ParseFile(missing) = %v", err)
	}
}
