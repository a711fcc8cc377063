package command

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// InspectCommand shows what a template declares without running anything:
// the variables it takes, its builds, provisioners and post-processors.
type InspectCommand struct {
	Meta *Meta
}

// Help explains `packer inspect`.
func (c *InspectCommand) Help() string {
	return `Usage: packer inspect [options] TEMPLATE

  Shows the components a template defines: the variables it takes (and
  which are required), its builds, its provisioners in the order they run,
  and its post-processor chains. Nothing is run and no plugin is started.

Options:

  -machine-readable  Print template-variable, template-builder,
                     template-provisioner and template-postprocessor records.`
}

// Synopsis is the one line `packer help` shows.
func (c *InspectCommand) Synopsis() string { return "Shows the components a template defines" }

// Run prints the inspection.
func (c *InspectCommand) Run(_ context.Context, ui packer.Ui, args []string) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.Bool("machine-readable", false, "")
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		ui.Error("packer inspect takes exactly one template file; run `packer inspect -h`")
		return 1
	}
	tpl, err := template.ParseFile(fs.Arg(0))
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	// Nothing is resolved here: the defaults as written are what a
	// description or a name could repeat.
	ui = newMaskingUi(ui, tpl.SensitiveValuesAsWritten(nil))
	ui.Say(inspectText(ui, tpl))
	return 0
}

// inspectText writes the machine-readable records to ui and returns the
// human-readable text.
func inspectText(ui packer.Ui, tpl *template.Template) string {
	var b strings.Builder
	if tpl.Description != "" {
		ui.Machine("template-description", tpl.Description)
		fmt.Fprintf(&b, "Description:\n\n%s\n\n", tpl.Description)
	}

	var required, optional []string
	for name, v := range tpl.Variables {
		if v.Required {
			required = append(required, name)
		} else {
			optional = append(optional, name)
		}
	}
	sort.Strings(required)
	sort.Strings(optional)
	if len(tpl.Variables) == 0 {
		b.WriteString("Variables:\n\n  <No variables>\n\n")
	}
	if len(required) > 0 {
		b.WriteString("Required variables:\n\n")
		for _, name := range required {
			ui.Machine("template-variable", name, "", "1")
			fmt.Fprintf(&b, "  %s\n", name)
		}
		b.WriteString("\n")
	}
	if len(optional) > 0 {
		b.WriteString("Optional variables and their defaults:\n\n")
		width := 0
		for _, name := range optional {
			width = max(width, len(name))
		}
		for _, name := range optional {
			value := tpl.Variables[name].Default
			if slices.Contains(tpl.SensitiveVariables, name) {
				value = "<sensitive>"
			}
			ui.Machine("template-variable", name, value, "0")
			fmt.Fprintf(&b, "  %-*s = %s\n", width, name, value)
		}
		b.WriteString("\n")
	}

	b.WriteString("Builders:\n\n")
	if len(tpl.Builders) == 0 {
		b.WriteString("  <No builders>\n")
	}
	for _, name := range tpl.BuildNames() {
		typ := tpl.Builders[name].Type
		ui.Machine("template-builder", name, typ)
		if name == typ {
			fmt.Fprintf(&b, "  %s\n", name)
		} else {
			fmt.Fprintf(&b, "  %s (%s)\n", name, typ)
		}
	}

	b.WriteString("\nProvisioners:\n\n")
	if len(tpl.Provisioners) == 0 {
		b.WriteString("  <No provisioners>\n")
	}
	for _, p := range tpl.Provisioners {
		ui.Machine("template-provisioner", p.Type)
		fmt.Fprintf(&b, "  %s%s\n", p.Type, onlyExcept(p.OnlyExcept))
	}

	b.WriteString("\nPost-processors:\n\n")
	if len(tpl.PostProcessors) == 0 {
		b.WriteString("  <No post-processors>\n")
	}
	for i, chain := range tpl.PostProcessors {
		var types []string
		for _, pp := range chain {
			types = append(types, pp.Type+onlyExcept(pp.OnlyExcept))
		}
		ui.Machine("template-postprocessor", strings.Join(typesOf(chain), ","))
		fmt.Fprintf(&b, "  %d: %s\n", i+1, strings.Join(types, " -> "))
	}
	b.WriteString("\nNote: build names and settings that use template functions or user\n" +
		"variables are shown as written; they are filled in at build time.")
	return b.String()
}

func typesOf(chain []*template.PostProcessor) []string {
	var out []string
	for _, pp := range chain {
		out = append(out, pp.Type)
	}
	return out
}

func onlyExcept(oe template.OnlyExcept) string {
	switch {
	case len(oe.Only) > 0:
		return " (only: " + strings.Join(oe.Only, ", ") + ")"
	case len(oe.Except) > 0:
		return " (except: " + strings.Join(oe.Except, ", ") + ")"
	}
	return ""
}
