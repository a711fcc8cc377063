package command

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// Commands returns the built-in commands by name. A packer-command-NAME
// plugin adds `packer NAME`, but cannot replace one of these.
func Commands(m *Meta) map[string]packer.Command {
	return map[string]packer.Command{
		"build":    &BuildCommand{Meta: m},
		"validate": &ValidateCommand{Meta: m},
		"inspect":  &InspectCommand{Meta: m},
		"version":  &VersionCommand{Meta: m},
		"plugins":  &PluginsCommand{Meta: m},
		"init":     &InitCommand{Meta: m},
	}
}

// Usage is the text `packer help` prints: every built-in command with its
// synopsis, then every plugin command with the synopsis it gave (plugins,
// by name; see Meta.PluginSynopses), and how to get more.
func Usage(commands map[string]packer.Command, plugins map[string]string) string {
	builtins := make(map[string]string, len(commands))
	for name, c := range commands {
		builtins[name] = c.Synopsis()
	}
	var b strings.Builder
	b.WriteString("Usage: packer [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n")
	writeCommandList(&b, builtins)
	if len(plugins) > 0 {
		b.WriteString("\nPlugin commands (packer-command-NAME):\n")
		writeCommandList(&b, plugins)
	}
	b.WriteString("\nRun `packer help COMMAND` or `packer COMMAND -h` for a command's options.\n" +
		"`packer plugins` lists the plugins packer finds, including packer-command-NAME plugins,\n" +
		"which run as `packer NAME`.")
	return b.String()
}

// errHelp means the user asked for help (-h): the command prints its help
// and exits 0.
var errHelp = flag.ErrHelp

// parseFlags parses args with fs, turning flag errors into a message that
// points at the command's help. It returns errHelp for -h and -help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if err != nil {
		return fmt.Errorf("%v; run `packer %s -h` for its options", err, fs.Name())
	}
	return nil
}

// runFlags is the common start of a command's Run: parse, show help on -h,
// report a bad flag. It returns a negative code when Run should go on.
func runFlags(ui packer.Ui, cmd packer.Command, fs *flag.FlagSet, args []string) int {
	err := parseFlags(fs, args)
	if errors.Is(err, errHelp) {
		ui.Say(cmd.Help())
		return 0
	}
	if err != nil {
		ui.Error(err.Error())
		return 1
	}
	return -1
}
