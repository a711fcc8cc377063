package e2e

import (
	"strings"
	"testing"
)

// TestE2E_everySubcommandAnswersHelp: -h and --help on every command and
// every `packer plugins` subcommand print that command's usage on stdout
// and exit 0, whatever the arguments around them; none is taken for an
// argument (a catalog, a template, a plugin name).
func TestE2E_everySubcommandAnswersHelp(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		args  []string
		usage string
	}{
		{[]string{"build"}, "Usage: packer build"},
		{[]string{"validate"}, "Usage: packer validate"},
		{[]string{"inspect"}, "Usage: packer inspect"},
		{[]string{"version"}, "Usage: packer version"},
		{[]string{"init"}, "Usage: packer init"},
		{[]string{"plugins"}, "Usage: packer plugins"},
		{[]string{"plugins", "install"}, "Usage: packer plugins install SOURCE"},
		{[]string{"plugins", "install", "./catalog"}, "Usage: packer plugins install SOURCE"},
		{[]string{"plugins", "installed"}, "Usage: packer plugins installed"},
		{[]string{"plugins", "remove"}, "Usage: packer plugins remove NAME"},
		{[]string{"plugins", "remove", "duo"}, "Usage: packer plugins remove NAME"},
		{[]string{"plugins", "required"}, "Usage: packer plugins required TEMPLATE"},
	} {
		for _, flag := range []string{"-h", "--help"} {
			args := append(append([]string{}, c.args...), flag)
			r := e.run(args...)
			if r.code != 0 || !strings.Contains(r.stdout, c.usage) {
				t.Errorf("packer %s: want %q on stdout and exit 0\n%v", strings.Join(args, " "), c.usage, r)
			}
		}
	}
}
