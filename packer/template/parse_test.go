package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

// TestParse_badInputIsAClearErrorThatSaysWhere covers what Packer's
// fixtures do not: each line is one mistake and what the error says.
func TestParse_badInputIsAClearErrorThatSaysWhere(t *testing.T) {
	cases := []struct{ name, json, want string }{
		{"unknown top-level key", `{"builders": [{"type": "null"}], "bogus": 1}`, `template: line 1: unknown top-level key "bogus"; the keys are builders, provisioners`},
		{"not an object", `["builders"]`, `template: line 1, column 1 (offset 1): the template must be an object, not a JSON array`},
		{"builders as an object", `{"builders": {"type": "null"}}`, `line 1, column 14 (offset 14): "builders" must be a list, not a JSON object`},
		{"type not a string", `{"builders": [{"type": 3}]}`, `builder 1: "type" must be a string, not a number`},
		{"duplicate key", "{\"builders\": [{\"type\": \"null\",\n \"type\": \"file\"}]}", `template: line 2, column 2: key "type" appears twice in "builders[0]"`},
		{"duplicate top-level key", `{"builders": [], "builders": []}`, `key "builders" appears twice in the template's top level`},
		{"variable default an object", `{"variables": {"v": {"default": "x"}}}`, `variable "v": the default must be a string (or null for a variable the user must give), not an object`},
		{"bad min version", `{"min_packer_version": "one"}`, `min_packer_version: "one" is not a version`},
		{"bad pause_before", `{"provisioners": [{"type": "shell", "pause_before": "soon"}]}`, `provisioner 1: "pause_before": "soon" is not a duration; use a value like "30s"`},
		{"bad timeout", `{"provisioners": [{"type": "shell", "timeout": true}]}`, `provisioner 1: "timeout": true is not a duration`},
		{"bad max_retries", `{"provisioners": [{"type": "shell", "max_retries": "many"}]}`, `provisioner 1: "max_retries": "many" is not a count of retries`},
		{"negative max_retries", `{"provisioners": [{"type": "shell", "max_retries": -1}]}`, `"max_retries": -1 is not a count of retries`},
		{"override not an object", `{"provisioners": [{"type": "shell", "override": ["a"]}]}`, `"override" must be an object of build name to configuration, not a list`},
		{"override entry not an object", `{"provisioners": [{"type": "shell", "override": {"a": "x"}}]}`, `"override": "a" must be an object of the keys to use for that build, not a string`},
		{"only and except", `{"provisioners": [{"type": "shell", "only": ["a"], "except": ["b"]}]}`, `"only" and "except" cannot both be set`},
		{"only not a list", `{"provisioners": [{"type": "shell", "only": "a"}]}`, `"only" must be a list of build names like ["vanilla"], not "a"`},
		{"chain in a chain", `{"post-processors": [["a", ["b"]]]}`, `post-processor 1.2: a chain cannot hold another chain`},
		{"post-processor a number", `{"post-processors": [3]}`, `post-processor 1: a post-processor is a type name, an object with a "type", or a list of those (a chain); not a number`},
		{"post-processor empty name", `{"post-processors": [""]}`, `post-processor 1: an empty name`},
		{"keep_input_artifact not a bool", `{"post-processors": [{"type": "a", "keep_input_artifact": "perhaps"}]}`, `"keep_input_artifact": "perhaps" is not true or false`},
		{"cleanup provisioner without type", `{"error-cleanup-provisioner": {"inline": []}}`, `error-cleanup-provisioner: missing "type"`},
		{"hooks not an object", `{"hooks": ["mark"]}`, `"hooks" must be an object, not a JSON array`},
		{"hooks event not a list", `{"hooks": {"packer_provision": "mark"}}`, `line 1, column 32 (offset 32): "hooks" must be a list, not a JSON string ("hooks" maps each event to a list of hook plugin names: {"packer_provision": ["NAME"]})`},
		{"hooks empty name", `{"hooks": {"packer_provision": ["mark", ""]}}`, `hooks.packer_provision: entry 2 is empty; name a hook plugin (packer-hook-NAME)`},
		{"not UTF-8", "{\"description\": \"\xff\xfe\"}", `template: line 1: not UTF-8 text (byte 0xff at offset 17)`},
		{"empty", ``, `template: line 1, column 1 (offset 1): malformed JSON: unexpected end of JSON input`},
		{"deep nesting", `{"builders": [{"type": "null", "x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}]}`, `malformed JSON: invalid character '[' exceeded max depth`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse(strings.NewReader(tc.json))
			if tpl != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%.80q) = %v, %v\nwant an error containing %q", tc.json, tpl, err, tc.want)
			}
		})
	}
}

func TestParse_hooksNameHookPluginsByEvent(t *testing.T) {
	tpl, err := Parse(strings.NewReader(`{"builders": [{"type": "null"}], "hooks": {"packer_provision": ["a", "b"], "custom": ["c"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"packer_provision": {"a", "b"}, "custom": {"c"}}
	if !reflect.DeepEqual(tpl.Hooks, want) {
		t.Errorf("Hooks = %v, want %v", tpl.Hooks, want)
	}
}

func TestParse_reportsEveryProblemAtOnce(t *testing.T) {
	_, err := Parse(strings.NewReader(`{
		"bogus": 1,
		"description": 7,
		"builders": [{"name": "a"}, {"type": "null", "name": "b"}, {"type": "null", "name": "b"}],
		"provisioners": [{"type": "shell", "pause_before": "soon", "max_retries": "x"}],
		"post-processors": [{"only": "x"}]
	}`))
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		t.Fatalf("Parse = %v, want a multierror", err)
	}
	wants := []string{
		`unknown top-level key "bogus"`,
		`"description" must be a string, not a JSON number`,
		`builder 1: missing "type"`,
		`builder 3: a build named "b" is already declared`,
		`provisioner 1: "pause_before"`,
		`provisioner 1: "max_retries"`,
		`post-processor 1: missing "type"`,
		`post-processor 1: "only" must be a list`,
	}
	if len(merr.Errors) != len(wants) {
		t.Errorf("%d problems reported, want %d:\n%v", len(merr.Errors), len(wants), err)
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestParse_acceptsWhatPackerUsersWrite(t *testing.T) {
	tpl, err := Parse(strings.NewReader(`{
		"_comment": ["comments need not be strings"],
		"variables": {"disk_size": 40960, "headless": true, "name": "x"},
		"builders": [{"type": "null", "_comment": "the builder's to refuse", "communicator": "none"}],
		"provisioners": [{"type": "shell", "pause_before": 1000000000, "max_retries": "2", "keep": "me"}],
		"post-processors": [[]]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Variables["disk_size"].Default + " " + tpl.Variables["headless"].Default; got != "40960 true" {
		t.Errorf("number and boolean defaults read as %q", got)
	}
	if got := tpl.Comments["_comment"]; got != `["comments need not be strings"]` {
		t.Errorf("comment = %q", got)
	}
	// Only top-level keys are comments, as Packer documents: inside a
	// component the key is the component's, which reports it as unknown.
	if got := tpl.Builders["null"].Config; !reflect.DeepEqual(got, cfg("communicator", "none", "_comment", "the builder's to refuse")) {
		t.Errorf("builder config = %v", got)
	}
	if p := tpl.Provisioners[0]; p.PauseBefore != time.Second || p.MaxRetries != 2 || !reflect.DeepEqual(p.Config, cfg("keep", "me")) {
		t.Errorf("provisioner = %#v", p)
	}
}

func TestParse_refusesWhatCannotBeATemplate(t *testing.T) {
	huge := strings.NewReader(`{"description": "` + strings.Repeat("x", MaxSize) + `"}`)
	if _, err := Parse(huge); err == nil || !strings.Contains(err.Error(), "template: larger than 16 MiB") {
		t.Errorf("huge input: %v", err)
	}
}

// TestParse_aBareNumberDurationIsNanosecondsWithAWarning: Packer reads
// "pause_before": 5 as 5 nanoseconds; so does this, and warns.
func TestParse_aBareNumberDurationIsNanosecondsWithAWarning(t *testing.T) {
	tpl, err := Parse(strings.NewReader(`{"builders": [{"type": "null"}], "provisioners": [
		{"type": "shell-local", "pause_before": 5, "timeout": "1m"},
		{"type": "shell-local", "timeout": 0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p := tpl.Provisioners[0]; p.PauseBefore != 5*time.Nanosecond || p.Timeout != time.Minute {
		t.Errorf("pause_before %v, timeout %v; want 5ns and 1m", p.PauseBefore, p.Timeout)
	}
	want := []string{`template: provisioner 1: "pause_before": 5 is a bare number, which Packer (and this packer) reads as 5 nanoseconds (5ns); write it with a unit, like "5s" for seconds`}
	if !reflect.DeepEqual(tpl.Warnings, want) {
		t.Errorf("warnings = %q\nwant %q", tpl.Warnings, want)
	}
}
