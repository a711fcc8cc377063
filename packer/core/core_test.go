package core

import (
	"reflect"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// TestCore_buildOnlyFixtureLeavesWhatPackerLeft reproduces the table in
// shared/packer-fixtures/README.md for build-only/template.json.
func TestCore_buildOnlyFixtureLeavesWhatPackerLeft(t *testing.T) {
	tpl := commandFixture(t, "build-only/template.json")
	for _, tc := range []struct {
		only, except []string
		want         string
	}{
		{only: []string{"chocolate", "vanilla"}, want: "apple banana chocolate peach pear tomato unnamed vanilla"},
		{except: []string{"chocolate", "vanilla", "tomato"}, want: "apple banana cherry peach pear"},
		{want: "apple banana cherry chocolate peach pear tomato unnamed vanilla"},
	} {
		dir := t.TempDir()
		files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Only: tc.only, Except: tc.except}, dir)
		if err != nil {
			t.Errorf("-only=%v -except=%v: %v", tc.only, tc.except, err)
		}
		got := strings.ReplaceAll(strings.Join(files, " "), ".txt", "")
		if got != tc.want {
			t.Errorf("-only=%v -except=%v left %q, Packer left %q", tc.only, tc.except, got, tc.want)
		}
	}
}

// TestCore_errorCleanupProvisionerRunsWhenProvisioningFails is Packer's
// cleanup-script fixture: the provisioner exits 2, the build fails, and the
// error-cleanup-provisioner has left ducky.txt.
func TestCore_errorCleanupProvisionerRunsWhenProvisioningFails(t *testing.T) {
	tpl := commandFixture(t, "cleanup-script/template.json")
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir)}, dir)
	if err == nil || !strings.Contains(err.Error(), "provisioner shell-local") {
		t.Errorf("build error = %v, want the failing provisioner's", err)
	}
	if got := strings.Join(files, " "); got != "ducky.txt" {
		t.Errorf("files left: %q, want ducky.txt from the error-cleanup-provisioner", got)
	}
}

func TestCore_errorCleanupProvisionerDoesNotRunWhenProvisioningSucceeds(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"builders": [{"type": "null"}],
		"provisioners": [{"type": "shell-local", "inline": ["touch ok.txt"]}],
		"error-cleanup-provisioner": {"type": "shell-local", "inline": ["touch cleanup.txt"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir)}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(files, " "); got != "ok.txt" {
		t.Errorf("files left: %q, want only ok.txt", got)
	}
}

func TestCore_buildNamesAreRenderedAsPackerRendersThem(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"os": "debian"},
		"builders": [{"type": "null", "name": "{{user ` + "`os`" + `}}-vm"}],
		"provisioners": [{"type": "shell-local", "inline": ["touch {{build_name}}.txt"]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := &CoreConfig{Template: tpl, Components: shellComponents(dir), Variables: map[string]string{"os": "ubuntu"}, Only: []string{"ubuntu-vm"}}
	files, err := buildAll(t, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(files, " "); got != "ubuntu-vm.txt" {
		t.Errorf("files left: %q, want ubuntu-vm.txt (build_name is the rendered name)", got)
	}

	cfg.Only = []string{"{{user `os`}}-vm"}
	core, err := NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if names, unknown := core.BuildNames(), core.UnknownSelections(); len(names) != 0 || !reflect.DeepEqual(unknown, []string{"-only={{user `os`}}-vm"}) {
		t.Errorf("-only with the unrendered name selects %v, unknown %v; want nothing selected and the name reported", names, unknown)
	}
}

func TestCore_anUnknownBuilderFailsOnlyItsOwnBuild(t *testing.T) {
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: commandFixture(t, "build-only/not-found.json"), Components: shellComponents(dir)}, dir)
	if err == nil || !strings.Contains(err.Error(), `build "vanilla": builder "non-existing"`) {
		t.Errorf("error = %v, want the missing builder named", err)
	}
	if want := []string{"chocolate.txt", "unnamed.txt"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, Packer left %v", files, want)
	}
}

func TestCore_buildValuesReachProvisionersAndPostProcessors(t *testing.T) {
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: commandFixture(t, "build-variable-sharing/template.json"), Components: shellComponents(dir)}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"post-processor.Null.txt", "provisioner.Null.txt"}; !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, want %v", files, want)
	}
}

func TestCore_varFileAndVarFlagValuesReachComponents(t *testing.T) {
	tpl := commandFixture(t, "var-arg/fruit_builder.json")
	for _, fruit := range []string{"apple", "pear"} {
		dir := t.TempDir()
		files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Variables: map[string]string{"fruit": fruit}}, dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{fruit + ".txt"}; !reflect.DeepEqual(files, want) {
			t.Errorf("files = %v, want %v", files, want)
		}
	}
}

func TestCore_componentsReceiveThePackerKeys(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"fruit": "pear"},
		"builders": [{"type": "file", "name": "potato", "target": "{{user ` + "`fruit`" + `}}.txt"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	builder := &testFileBuilder{dir: t.TempDir()}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: ComponentFinder{Builder: func(string) (packer.Builder, error) { return builder, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := core.Build("potato")
	b.SetDebug(true)
	b.SetForce(true)
	b.SetOnError("abort")
	if _, err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		packer.BuildNameConfigKey: "potato", packer.BuilderTypeConfigKey: "file", packer.DebugConfigKey: true,
		packer.ForceConfigKey: true, packer.OnErrorConfigKey: "abort", packer.UserVariablesConfigKey: map[string]string{"fruit": "pear"},
	}
	if !reflect.DeepEqual(builder.prepared[1], want) {
		t.Errorf("packer keys = %#v\nwant %#v", builder.prepared[1], want)
	}
	if builder.config.Target != "pear.txt" {
		t.Errorf("target rendered as %q", builder.config.Target)
	}
}

func TestNewCore_reportsTemplateAndVariableProblemsTogether(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"min_packer_version": "9.0.0",
		"variables": {"fruit": null},
		"builders": [{"type": "null"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewCore(&CoreConfig{Template: tpl, Version: "1.0.0"})
	for _, want := range []string{"needs packer 9.0.0 or newer", `required variable "fruit" has no value`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewCore = %v\nwant %q", err, want)
		}
	}
}

func TestCore_displayNameIsTypeDotNameAsPackerShowsIt(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [
		{"type": "null"}, {"type": "null", "name": "web"}, {"type": "file", "name": "db", "target": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"null": "null", "web": "null.web", "db": "file.db"} {
		if got := core.DisplayName(name); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCore_onlyAndExceptBothApplyAndSelectByBareName: Packer applies -only
// then -except, by a build's bare name; TYPE.NAME and globs select nothing.
func TestCore_onlyAndExceptBothApplyAndSelectByBareName(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [
		{"type": "null"}, {"type": "null", "name": "b2"}, {"type": "file", "name": "f1", "target": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		only, except  []string
		want, unknown []string
	}{
		{only: []string{"b2", "f1"}, except: []string{"f1"}, want: []string{"b2"}},
		{only: []string{"null.b2"}, unknown: []string{"-only=null.b2"}},
		{except: []string{"*"}, want: []string{"b2", "f1", "null"}, unknown: []string{"-except=*"}},
		{only: []string{"f*", "null"}, want: []string{"null"}, unknown: []string{"-only=f*"}},
	} {
		core, err := NewCore(&CoreConfig{Template: tpl, Only: c.only, Except: c.except})
		if err != nil {
			t.Fatal(err)
		}
		if got := core.BuildNames(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("-only=%v -except=%v runs %v, Packer runs %v", c.only, c.except, got, c.want)
		}
		if got := core.UnknownSelections(); !reflect.DeepEqual(got, c.unknown) {
			t.Errorf("-only=%v -except=%v: unknown selections %v, want %v", c.only, c.except, got, c.unknown)
		}
	}
}

// TestNewCore_minPackerVersionOnAGitHashBuildIsSkippedWithAWarning: a
// build stamped with a git revision cannot be compared with
// min_packer_version; it runs, and says the check was skipped.
func TestNewCore_minPackerVersionOnAGitHashBuildIsSkippedWithAWarning(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"min_packer_version": "99.0.0", "builders": [{"type": "null"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(&CoreConfig{Template: tpl, Version: "c0ffee1-dirty"})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(core.Warnings(), "\n"); !strings.Contains(w, "min_packer_version 99.0.0 is not checked") || !strings.Contains(w, `"c0ffee1-dirty"`) {
		t.Errorf("warnings = %q", w)
	}
	if _, err := NewCore(&CoreConfig{Template: tpl, Version: "1.2.3"}); err == nil || !strings.Contains(err.Error(), "needs packer 99.0.0") {
		t.Errorf("a release build: %v, want it refused", err)
	}
}

// TestCore_exceptNamingAPostProcessorDropsTheRestOfItsChain, as Packer's
// Core.Build does: the steps after it would work on its artifact.
func TestCore_exceptNamingAPostProcessorDropsTheRestOfItsChain(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{"builders": [{"type": "null"}], "post-processors": [
		[{"type": "shell-local", "name": "first", "inline": ["touch first"]}, {"type": "shell-local", "name": "sums", "inline": ["touch sums"]}, {"type": "shell-local", "inline": ["touch after"]}],
		[{"type": "shell-local", "name": "other", "inline": ["touch other"]}]]}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := buildAll(t, &CoreConfig{Template: tpl, Components: shellComponents(dir), Except: []string{"sums"}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first", "other"}; !reflect.DeepEqual(files, want) {
		t.Errorf("-except=sums ran the post-processors that left %v, Packer leaves %v", files, want)
	}
}

func TestCore_validateReportsEveryBuildsProblemsAtOnce(t *testing.T) {
	tpl, err := template.Parse(strings.NewReader(`{
		"builders": [{"type": "null", "name": "fine"}, {"type": "null", "name": "typo", "contnet": "x"}, {"type": "nope"}],
		"provisioners": [{"type": "shell-local", "inline": ["true"], "bogus": 1}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCore(&CoreConfig{Template: tpl, Components: shellComponents(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Validate()
	if err == nil {
		t.Fatal("Validate = nil, want the problems of builds typo and nope, and of the provisioner in fine and typo")
	}
	for _, want := range []string{`build "nope": builder "nope": no builder "nope"`, "contnet", "bogus"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate's error lacks %q:\n%v", want, err)
		}
	}
}
