package shellenv

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Common holds the keys the shell and shell-local provisioners share, with
// Packer's names; each embeds it with `mapstructure:",squash"`.
type Common struct {
	// Inline commands are written to a script and run.
	Inline []string `mapstructure:"inline"`
	// InlineShebang starts that script (default "/bin/sh -e").
	InlineShebang string `mapstructure:"inline_shebang"`
	// Script and Scripts are local script files to run, in order.
	Script  string   `mapstructure:"script"`
	Scripts []string `mapstructure:"scripts"`
	// EnvironmentVars are KEY=VALUE pairs for the scripts.
	EnvironmentVars []string `mapstructure:"environment_vars"`
	// EnvVarFormat formats each pair into the variables file that
	// {{.Vars}} sources (default "%s='%s' ").
	EnvVarFormat string `mapstructure:"env_var_format"`
	// ValidExitCodes are the exit codes that count as success (default 0).
	ValidExitCodes []int `mapstructure:"valid_exit_codes"`
}

// CommandSource is one more key a provisioner takes commands from besides inline,
// script and scripts (shell-local's "command"), and whether it is set.
type CommandSource struct {
	Key string
	Set bool
}

// Check checks the common keys, with the provisioner's other sources of
// commands, and fills in the defaults: exactly one source is set, every
// script exists, every environment variable is KEY=VALUE. Script becomes
// the first of Scripts. Every problem is in the one error, each naming its
// key.
func (c *Common) Check(others ...CommandSource) *multierror.Error {
	var errs *multierror.Error
	sources := append(others,
		CommandSource{"inline", len(c.Inline) > 0}, CommandSource{"script", c.Script != ""}, CommandSource{"scripts", len(c.Scripts) > 0})
	keys := make([]string, len(sources))
	set := 0
	for i, s := range sources {
		keys[i] = s.Key
		if s.Set {
			set++
		}
	}
	list := strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
	if set == 0 {
		errs = multierror.Append(errs, fmt.Errorf("one of %s must be set", list))
	}
	if set > 1 {
		errs = multierror.Append(errs, fmt.Errorf("only one of %s may be set", list))
	}
	if c.Script != "" {
		c.Scripts = append([]string{c.Script}, c.Scripts...)
	}
	for _, s := range c.Scripts {
		if _, err := os.Stat(s); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("script: %w", err))
		}
	}
	for _, kv := range c.EnvironmentVars {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			errs = multierror.Append(errs, fmt.Errorf("environment_vars: %q is not KEY=VALUE", kv))
		}
	}
	if c.InlineShebang == "" {
		c.InlineShebang = "/bin/sh -e"
	}
	if c.EnvVarFormat == "" {
		c.EnvVarFormat = "%s='%s' "
	}
	if len(c.ValidExitCodes) == 0 {
		c.ValidExitCodes = []int{0}
	}
	return errs
}
