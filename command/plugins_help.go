package command

// pluginsSubcommandHelp is each `packer plugins` subcommand's usage, which
// `packer plugins SUBCOMMAND -h` (or -help, --help, anywhere before a "--")
// prints instead of taking the flag for a catalog, a name or a template.
var pluginsSubcommandHelp = map[string]string{
	"install": `Usage: packer plugins install SOURCE [VERSION]

  Fetches a multi-component plugin (packer-plugin-NAME) from SOURCE, a
  catalog: a directory or an http(s) URL holding
  packer-plugin-NAME_vX.Y.Z_OS_ARCH.zip archives and a SHA256SUMS. It
  verifies the archive's checksum and installs the highest version matching
  VERSION (a constraint such as ">= 1.2, < 2.0"; default: any) into the
  plugin directory as NAME/vX.Y.Z/, beside the versions already there.`,

	"installed": `Usage: packer plugins installed

  Lists every installed multi-component plugin version: name, version,
  path, and "ok" or CHANGED SINCE INSTALL for a binary whose checksum no
  longer matches (packer refuses to run it).`,

	"remove": `Usage: packer plugins remove NAME [VERSION]

  Removes the installed versions of plugin NAME, or only VERSION.`,

	"required": `Usage: packer plugins required TEMPLATE

  Lists the plugins the template's "required_plugins" names, each with its
  version constraint, its source and the installed version that would be
  used (the lock file's, when there is one). Exits 1 when one is missing;
  packer init TEMPLATE installs them.`,
}

// pluginsSubcommandWantsHelp returns the usage of the subcommand args
// name when the rest of args asks for help.
func pluginsSubcommandWantsHelp(args []string) (string, bool) {
	help, ok := pluginsSubcommandHelp[args[0]]
	return help, ok && WantsHelp(args[1:])
}
