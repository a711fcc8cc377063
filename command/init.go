package command

import (
	"context"
	"flag"
	"fmt"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
	"github.com/packer-classic/packer/plugin"
)

// InitCommand installs what a template's required_plugins names and records
// the choice in the lock file.
type InitCommand struct {
	Meta *Meta
}

// Help explains packer init.
func (c *InitCommand) Help() string {
	return `Usage: packer init [-upgrade] TEMPLATE

  Installs every plugin the template's "required_plugins" names, from its
  "source" catalog, in the highest version matching its "version", and
  records the exact version and checksum in ` + LockFileName + ` beside the
  template. With a lock file, the locked versions are installed, so a second
  machine resolves the same binaries; -upgrade moves the lock to the highest
  matching versions.`
}

// Synopsis is the one line packer help shows.
func (c *InitCommand) Synopsis() string { return "Installs the plugins a template requires" }

// Run installs and locks.
func (c *InitCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	upgrade := fs.Bool("upgrade", false, "")
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		ui.Error("packer init takes one template; see packer init -h")
		return 1
	}
	path := fs.Arg(0)
	tpl, err := template.ParseFile(path)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	in, err := c.Meta.installer()
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	lock, err := readLock(path)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	failed := false
	for _, req := range sortedRequired(tpl) {
		locked, isLocked := lock.Plugins[req.Name]
		source := req.Source
		var got plugin.Installed
		var err error
		switch {
		case isLocked && !*upgrade:
			if got, err = in.Resolve(req.Name, req.Version, locked.Version); err != nil {
				if locked.Source != "" {
					source = locked.Source
				}
				got, err = in.Install(ctx, source, "= "+locked.Version)
			}
		default:
			if !*upgrade {
				got, err = in.Resolve(req.Name, req.Version, "")
			}
			if *upgrade || err != nil {
				if source == "" {
					err = fmt.Errorf("required_plugins.%s has no \"source\" to install it from", req.Name)
				} else {
					got, err = in.Install(ctx, source, req.Version)
				}
			}
		}
		if err != nil {
			ui.Error(fmt.Sprintf("%s: %v", req.Name, err))
			failed = true
			continue
		}
		sum, _ := plugin.InstalledSum(got.Path)
		if isLocked && !*upgrade && locked.SHA256 != "" && sum != locked.SHA256 {
			ui.Error(fmt.Sprintf("%s %s: checksum %s differs from the lock file's %s; the catalog changed the release, check it, then run packer init -upgrade", req.Name, got.Version, sum, locked.SHA256))
			failed = true
			continue
		}
		lock.Plugins[req.Name] = lockEntry{Version: got.Version, Source: source, SHA256: sum}
		ui.Say(fmt.Sprintf("%s %s: %s", req.Name, got.Version, got.Path))
	}
	if failed {
		return 1
	}
	if err := writeLock(path, lock); err != nil {
		ui.Error(err.Error())
		return 1
	}
	ui.Say("Wrote " + lockPath(path))
	return 0
}
