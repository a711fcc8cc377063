package command

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
	"github.com/packer-classic/packer/plugin"
)

// PluginsCommand lists every plugin packer can find and where it found it,
// so a user can see which of two binaries of the same name wins and why.
type PluginsCommand struct {
	Meta *Meta
}

// Help explains `packer plugins` and the search order.
func (c *PluginsCommand) Help() string {
	return `Usage: packer plugins
       packer plugins install SOURCE [VERSION]
       packer plugins install --path BINARY HOST/ORG/NAME
       packer plugins installed
       packer plugins remove NAME [VERSION]
       packer plugins required TEMPLATE

  install --path BINARY HOST/ORG/NAME installs a local packer-plugin-sdk
  plugin (HashiCorp's plugins) in Packer's layout, as Packer does:
  HOST/ORG/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH and its _SHA256SUM.
  packer also finds what real Packer installed, in PACKER_PLUGIN_PATH or
  Packer's own plugin directory (see docs/sdk-plugins.md).

  install fetches a multi-component plugin (packer-plugin-NAME) from a
  catalog, a directory or an http(s) URL holding
  packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip archives and a SHA256SUMS, verifies
  the archive's checksum, and installs the highest version matching VERSION
  (a constraint such as ">= 1.2, < 2.0"; default: any) into the plugin
  directory as NAME/vX.Y.Z/, beside the versions already there. packer
  refuses to run an installed binary whose checksum no longer matches.

  packer plugins SUBCOMMAND -h shows a subcommand's usage.

  Without a subcommand, lists every plugin packer can find: type, name, where it was found, and the
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
func (c *PluginsCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	fs := flag.NewFlagSet("plugins", flag.ContinueOnError)
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if isInstallPath(fs.Args()) {
		return c.installPath(ctx, ui, fs.Args()[1:])
	}
	if fs.NArg() > 0 {
		return c.manage(ui, fs.Args())
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
		if f.Kind == plugin.KindMultiComponent {
			// Index what the binary serves, from its describe.
			for _, row := range c.describeRows(ctx, f) {
				fmt.Fprintln(tw, row)
			}
		}
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

// manage runs the install, installed and remove subcommands.
func (c *PluginsCommand) manage(ui packer.Ui, args []string) int {
	if help, ok := pluginsSubcommandWantsHelp(args); ok {
		ui.Say(help)
		return 0
	}
	in, err := c.Meta.installer()
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	switch {
	case args[0] == "install" && (len(args) == 2 || len(args) == 3):
		constraint := ""
		if len(args) == 3 {
			constraint = args[2]
		}
		got, err := in.Install(context.Background(), args[1], constraint)
		if err != nil {
			ui.Error(err.Error())
			return 1
		}
		ui.Say(fmt.Sprintf("Installed %s %s in %s", got.Name, got.Version, got.Path))
		return 0
	case args[0] == "required" && len(args) == 2:
		tpl, err := template.ParseFile(args[1])
		if err != nil {
			ui.Error(err.Error())
			return 1
		}
		lock, err := readLock(args[1])
		if err != nil {
			ui.Error(err.Error())
			return 1
		}
		missing := false
		for _, req := range sortedRequired(tpl) {
			status := "not installed"
			if got, err := in.Resolve(req.Name, req.Version, lock.Plugins[req.Name].Version); err == nil {
				status = "installed " + got.Version + " at " + got.Path
			} else {
				missing = true
			}
			ui.Say(fmt.Sprintf("%s %q from %s: %s", req.Name, req.Version, req.Source, status))
		}
		if missing {
			ui.Error("run: packer init " + args[1])
			return 1
		}
		return 0
	case args[0] == "installed" && len(args) == 1:
		list, err := in.List()
		if err != nil {
			ui.Error(err.Error())
			return 1
		}
		for _, i := range list {
			status := "ok"
			if err := plugin.VerifyInstalled(i.Path); err != nil {
				status = "CHANGED SINCE INSTALL"
			}
			ui.Say(fmt.Sprintf("%s %s %s (%s)", i.Name, i.Version, i.Path, status))
			ui.Machine("plugin-installed", i.Name, i.Version, i.Path)
		}
		return 0
	case args[0] == "remove" && (len(args) == 2 || len(args) == 3):
		version := ""
		if len(args) == 3 {
			version = args[2]
		}
		removed, err := in.Remove(args[1], version)
		if err != nil {
			ui.Error(err.Error())
			return 1
		}
		for _, r := range removed {
			ui.Say(fmt.Sprintf("Removed %s %s", r.Name, r.Version))
		}
		return 0
	}
	ui.Error(fmt.Sprintf("packer plugins: cannot make sense of %q; see packer plugins -h", args))
	return 1
}

// describeRows runs a multi-component plugin's describe and returns a row
// per component type it serves (or one row saying why it cannot be read).
func (c *PluginsCommand) describeRows(ctx context.Context, f plugin.Found) []string {
	d, err := c.Meta.Supervisor.Describe(ctx, f.Path, c.Meta.Logger)
	if err != nil {
		// In the last column, so the table is not padded to its width.
		return []string{fmt.Sprintf("  (cannot describe)\t\t\t%s", strings.ReplaceAll(err.Error(), "\n", " "))}
	}
	builtins := c.Meta.Discovery.Builtins
	var rows []string
	for _, kind := range []struct {
		name  packer.Kind
		names []string
	}{{packer.KindBuilder, d.Builders}, {packer.KindProvisioner, d.Provisioners}, {packer.KindPostProcessor, d.PostProcessors}} {
		for _, c := range kind.names {
			typ := f.Name
			if c != plugin.DefaultName {
				typ += "-" + c
			}
			rows = append(rows, fmt.Sprintf("  %s\t%s\t%s\t%s%s", kind.name, typ, f.Source, versionColumn(d), overrides(builtins, kind.name, typ)))
		}
	}
	return rows
}
