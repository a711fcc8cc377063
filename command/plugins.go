package command

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/packer-classic/packer/packer"
)

// PluginsCommand lists every plugin packer can find and where it found it,
// so a user can see which of two binaries of the same name wins and why.
type PluginsCommand struct {
	Meta *Meta
}

// Help explains `packer plugins` and the search order.
func (c *PluginsCommand) Help() string {
	return `Usage: packer plugins

  Lists every plugin packer can find: type, name, where it was found, and the
  executable. For each type and name the first place that has it wins:

    1. config       the config file (PACKER_CONFIG, else ~/.packerconfig)
    2. packer-dir   the directory of the packer executable
    3. current-dir  the current directory
    4. plugin-dir   PACKER_PLUGIN_PATH (a list, like PATH), else ~/.packer.d/plugins
    5. PATH         the directories on PATH
    6. built-in     packer itself: one process per run (packer plugin --builtins)
                    serves every built-in component the run uses

  Plugin executables are named packer-TYPE-NAME, TYPE one of builder,
  provisioner, post-processor, hook, command. Exits 1 if a config file entry
  points at a missing or non-executable file.`
}

// Synopsis is the one line `packer help` shows.
func (c *PluginsCommand) Synopsis() string { return "Lists the plugins packer finds and where" }

// Run prints the table.
func (c *PluginsCommand) Run(_ context.Context, ui packer.Ui, args []string) int {
	fs := flag.NewFlagSet("plugins", flag.ContinueOnError)
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		ui.Error(fmt.Sprintf("packer plugins takes no arguments, got %q", fs.Args()))
		return 1
	}
	found, errs := c.Meta.Discovery.All()
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tNAME\tSOURCE\tPATH")
	for _, f := range found {
		path := f.Path
		if len(f.Args) > 0 {
			path += " " + strings.Join(f.Args, " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Kind, f.Name, f.Source, path)
		ui.Machine("plugin", string(f.Kind), f.Name, string(f.Source), f.Path)
	}
	tw.Flush()
	ui.Say(strings.TrimRight(b.String(), "\n"))
	for _, err := range errs {
		ui.Error(err.Error())
	}
	if len(errs) > 0 {
		return 1
	}
	return 0
}
