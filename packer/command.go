package packer

import "context"

// Command is a `packer NAME` subcommand. A plugin binary named
// packer-command-NAME serving a Command adds `packer NAME` to the CLI.
type Command interface {
	// Help returns the long help text shown by `packer NAME -h` (also
	// -help, --help, anywhere before a "--") and `packer help NAME`; packer
	// shows it without calling Run.
	Help() string
	// Run runs the command with the arguments that follow its name and
	// returns the process exit status, which `packer NAME` exits with (0
	// to 255; any other value exits 1).
	Run(ctx context.Context, ui Ui, args []string) int
	// Synopsis returns the one-line description `packer help` shows
	// beside the command's name.
	Synopsis() string
}
