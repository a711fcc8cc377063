package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// ValidateCommand checks a template and reports every problem at once, so a
// user fixes them in one pass instead of one per run.
type ValidateCommand struct {
	Meta *Meta
}

// Help explains `packer validate`.
func (c *ValidateCommand) Help() string {
	return `Usage: packer validate [options] TEMPLATE

  Checks the template and reports every problem at once, each naming where
  it is: the JSON and the template's structure, the variables, and each
  component's own configuration (every builder, provisioner and
  post-processor is started and prepared, as a build would, but not run).
  Exits 1 on any error.

Options:

  -syntax-only        Check only the JSON and the template's structure;
                      start no plugin.
  -only=a,b           Validate only these builds.
  -except=a,b         Validate every build but these.
  -var 'key=value'    Set a user variable; repeatable.
  -var-file=vars.json Read user variables from a JSON file; repeatable.`
}

// Synopsis is the one line `packer help` shows.
func (c *ValidateCommand) Synopsis() string { return "Checks that a template is valid" }

// Run validates.
func (c *ValidateCommand) Run(_ context.Context, ui packer.Ui, args []string) int {
	var opts buildOptions
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	opts.register(fs)
	syntaxOnly := fs.Bool("syntax-only", false, "")
	fs.Bool("machine-readable", false, "")
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		ui.Error("packer validate takes exactly one template file; run `packer validate -h`")
		return 1
	}
	if *syntaxOnly {
		tpl, err := template.ParseFile(fs.Arg(0))
		if err == nil {
			ui = newMaskingUi(ui, tpl.SensitiveValuesAsWritten(opts.vars))
			warnTemplate(ui, tpl)
			err = tpl.Validate()
		}
		if err != nil {
			return c.failed(ui, err)
		}
		ui.Say("Syntax-only check passed. Everything looks okay.")
		return 0
	}

	tc, sensitive, err := newCore(c.Meta, ui, fs.Arg(0), &opts)
	// A component's error can quote its configuration, sensitive values
	// included: they are masked here as in packer build.
	ui = newMaskingUi(ui, sensitive)
	if err != nil {
		return c.failed(ui, err)
	}
	if len(tc.BuildNames()) == 0 {
		return c.failed(ui, fmt.Errorf("no builds to validate: -only/-except left none of the template's builds (%s)", strings.Join(tc.AllBuildNames(), ", ")))
	}
	warnings, err := tc.Validate()
	for _, w := range warnings {
		ui.Say("Warning: " + w)
	}
	if err != nil {
		return c.failed(ui, err)
	}
	ui.Say("The configuration is valid.")
	return 0
}

func (c *ValidateCommand) failed(ui packer.Ui, err error) int {
	var merr *multierror.Error
	count := 1
	if errors.As(err, &merr) {
		count = len(merr.Errors)
	}
	ui.Machine("error-count", fmt.Sprint(count))
	ui.Error(fmt.Sprintf("Template validation failed (%d error(s)):\n\n%v", count, err))
	return 1
}
