package packer

import "context"

// Command is a `packer NAME` subcommand. A plugin binary named
// packer-command-NAME serving a Command adds `packer NAME` to the CLI.
type Command interface {
	// Help returns the long help text shown by `packer NAME -h`.
	Help() string
	// Run runs the command with the arguments that follow its name and
	// returns the process exit status.
	Run(ctx context.Context, ui Ui, args []string) int
	// Synopsis returns the one-line description shown by `packer help`.
	Synopsis() string
}
