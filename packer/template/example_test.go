package template_test

import (
	"fmt"
	"strings"

	"github.com/packer-classic/packer/packer/template"
)

// What the core does with a template before it builds anything.
func ExampleParse() {
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"fruit": null, "target": "{{user ` + "`fruit`" + `}}.txt"},
		"builders": [{"type": "file", "name": "basket", "target": "{{user ` + "`target`" + `}}"}],
		"post-processors": [["compress", {"type": "manifest", "only": ["basket"]}]]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tpl.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	values, err := tpl.ResolveVariables(map[string]string{"fruit": "pear"}, nil)
	fmt.Println(values["target"], err)
	fmt.Println(tpl.BuildNames(), tpl.Builders["basket"].Config["target"])
	for _, pp := range tpl.PostProcessors[0] {
		fmt.Println(pp.Type, pp.Skip("basket"))
	}
	// Output:
	// pear.txt <nil>
	// [basket] {{user `target`}}
	// compress false
	// manifest false
}
