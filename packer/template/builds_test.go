package template

import (
	"reflect"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// Packer: TestCoreBuildNames on build-names-basic.json and
// build-names-func.json, and build-interpolated-name.json.
func TestRenderBuildNames_namesBuildsAsPackerDoes(t *testing.T) {
	cases := []struct {
		file string
		vars map[string]string
		want []string
	}{
		{"build-names-basic.json", nil, []string{"something"}},
		{"build-names-func.json", nil, []string{"TUBES"}},
		{"build-interpolated-name.json", map[string]string{"build_name": "potato"}, []string{"potato"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			tpl := coreFixture(t, tc.file)
			builds, err := tpl.RenderBuildNames(&interpolate.Context{UserVariables: tc.vars})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for name, b := range builds {
				if b.Name != name {
					t.Errorf("build keyed %q is named %q", name, b.Name)
				}
				names = append(names, name)
			}
			if !reflect.DeepEqual(names, tc.want) {
				t.Errorf("build names = %v, want %v", names, tc.want)
			}
		})
	}
}

func TestRenderBuildNames_sameNameAfterRenderingAndBadNamesAreErrors(t *testing.T) {
	tpl := mustParse(t, `{"builders": [
		{"type": "null", "name": "{{user `+"`os`"+`}}"},
		{"type": "null", "name": "ubuntu"},
		{"type": "null", "name": "{{user `+"`nope`"+`}}"}
	]}`)
	original := *tpl.Builders["{{user `os`}}"]
	_, err := tpl.RenderBuildNames(&interpolate.Context{UserVariables: map[string]string{"os": "ubuntu"}})
	for _, want := range []string{
		`template: builds "ubuntu" and "{{user ` + "`os`" + `}}" are both called "ubuntu" once their names are rendered`,
		"template: the name of build \"{{user `nope`}}\": in \"{{user `nope`}}\": user variable \"nope\" is not defined",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RenderBuildNames = %v\nwant it to contain %q", err, want)
		}
	}
	if !reflect.DeepEqual(*tpl.Builders["{{user `os`}}"], original) {
		t.Error("RenderBuildNames changed the template's builders")
	}
}
