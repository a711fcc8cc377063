package command

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// installPath is `packer plugins install --path BINARY HOST/ORG/NAME`: it
// installs a local packer-plugin-sdk plugin in Packer's layout, as
// Packer's command of that name does. args follow "install".
func (c *PluginsCommand) installPath(ctx context.Context, ui packer.Ui, args []string) int {
	var binary, source string
	switch {
	case len(args) == 3 && (args[0] == "--path" || args[0] == "-path"):
		binary, source = args[1], args[2]
	case len(args) == 2 && (strings.HasPrefix(args[0], "--path=") || strings.HasPrefix(args[0], "-path=")):
		binary, source = args[0][strings.Index(args[0], "=")+1:], args[1]
	default:
		ui.Error("usage: packer plugins install --path BINARY HOST/ORG/NAME (for example github.com/hashicorp/qemu)")
		return 1
	}
	abs, err := filepath.Abs(binary)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	in, err := c.Meta.installer()
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	desc, err := c.Meta.Supervisor.Describe(ctx, abs, c.Meta.Logger)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	got, err := in.InstallPath(abs, source, desc)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	ui.Say(fmt.Sprintf("Installed %s %s (packer-plugin-sdk %s, plugin API %s) in %s", source, got.Version, desc.SDK.SDKVersion, desc.SDK.APIVersion, got.Path))
	return 0
}

// isInstallPath reports whether args (after "plugins") ask for
// installPath.
func isInstallPath(args []string) bool {
	return len(args) >= 2 && args[0] == "install" && (args[1] == "--path" || args[1] == "-path" ||
		strings.HasPrefix(args[1], "--path=") || strings.HasPrefix(args[1], "-path="))
}

// versionColumn is what `packer plugins` shows for a described plugin: its
// version, and for an SDK plugin the SDK and plugin API it was built with.
func versionColumn(d plugin.Description) string {
	if d.SDK == nil {
		return "v" + d.Version
	}
	return fmt.Sprintf("v%s (packer-plugin-sdk %s, API %s)", d.Version, d.SDK.SDKVersion, d.SDK.APIVersion)
}

// overrides says, for a plugin's component type, that it overrides the
// built-in of the same name (as in Packer, an installed plugin wins).
func overrides(builtins map[packer.Kind][]string, kind packer.Kind, typ string) string {
	if slices.Contains(builtins[kind], typ) {
		return ", overrides the built-in " + typ
	}
	return ""
}
