// Package shell is Packer's shell provisioner: it uploads scripts (or inline
// commands written to a script) through the build's communicator and runs
// them there, streaming their output to the Ui as it comes.
package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"text/template"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
)

// Config is the shell provisioner's configuration, with Packer's keys.
type Config struct {
	Inline          []string `mapstructure:"inline"`
	InlineShebang   string   `mapstructure:"inline_shebang"`
	Script          string   `mapstructure:"script"`
	Scripts         []string `mapstructure:"scripts"`
	EnvironmentVars []string `mapstructure:"environment_vars"`
	EnvVarFormat    string   `mapstructure:"env_var_format"`
	// ExecuteCommand runs the uploaded script; it may use {{.Path}} and
	// {{.Vars}} (default "chmod +x {{.Path}}; {{.Vars}} {{.Path}}").
	ExecuteCommand string `mapstructure:"execute_command"`
	// RemoteFolder, RemoteFile and RemotePath say where scripts are
	// uploaded (default /tmp/script_NNNN.sh).
	RemoteFolder string `mapstructure:"remote_folder"`
	RemoteFile   string `mapstructure:"remote_file"`
	RemotePath   string `mapstructure:"remote_path"`
	// ExpectDisconnect lets a script end the connection (a reboot).
	ExpectDisconnect bool `mapstructure:"expect_disconnect"`
	// ValidExitCodes count as success (default 0).
	ValidExitCodes []int `mapstructure:"valid_exit_codes"`
	// SkipClean leaves the uploaded scripts in place.
	SkipClean bool `mapstructure:"skip_clean"`
	// Binary uploads scripts unchanged (accepted for compatibility).
	Binary bool `mapstructure:"binary"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Provisioner is the shell provisioner. Its zero value is ready for Prepare.
type Provisioner struct {
	config Config
}

// Prepare reads and checks the configuration.
func (p *Provisioner) Prepare(raws ...any) error {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return err
	}
	var errs *multierror.Error
	sources := 0
	for _, set := range []bool{len(c.Inline) > 0, c.Script != "", len(c.Scripts) > 0} {
		if set {
			sources++
		}
	}
	if sources == 0 {
		errs = multierror.Append(errs, errors.New("one of inline, script or scripts must be set"))
	}
	if sources > 1 {
		errs = multierror.Append(errs, errors.New("only one of inline, script or scripts may be set"))
	}
	if c.Script != "" {
		c.Scripts = []string{c.Script}
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
	if c.ExecuteCommand == "" {
		c.ExecuteCommand = "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"
	}
	if _, err := template.New("").Parse(c.ExecuteCommand); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("execute_command: %w", err))
	}
	if c.RemoteFolder == "" {
		c.RemoteFolder = "/tmp"
	}
	if c.RemoteFile == "" {
		c.RemoteFile = fmt.Sprintf("script_%d.sh", rand.IntN(10000))
	}
	if c.RemotePath == "" {
		// Not path.Join: a relative folder keeps its "./", so that
		// "{{.Path}}" runs as a command.
		c.RemotePath = strings.TrimSuffix(c.RemoteFolder, "/") + "/" + c.RemoteFile
	}
	if len(c.ValidExitCodes) == 0 {
		c.ValidExitCodes = []int{0}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return err
	}
	p.config = c
	return nil
}

// Provision uploads and runs each script through comm.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	c := p.config
	if comm == nil {
		return errors.New(`the shell provisioner needs a communicator, and this build has none (for the null builder, set "communicator": "local"; or use shell-local)`)
	}
	type script struct{ name string }
	var scripts []script
	if len(c.Inline) > 0 {
		scripts = append(scripts, script{name: "inline commands"})
	}
	for _, s := range c.Scripts {
		scripts = append(scripts, script{name: s})
	}
	for _, s := range scripts {
		var body []byte
		var info *os.FileInfo
		if len(c.Inline) > 0 {
			var b bytes.Buffer
			fmt.Fprintf(&b, "#!%s\n", c.InlineShebang)
			for _, line := range c.Inline {
				b.WriteString(line + "\n")
			}
			body = b.Bytes()
			ui.Say("Provisioning with shell script: inline commands")
		} else {
			data, err := os.ReadFile(s.name)
			if err != nil {
				return fmt.Errorf("script: %w", err)
			}
			fi, _ := os.Stat(s.name)
			info = &fi
			body = data
			ui.Say(fmt.Sprintf("Provisioning with shell script: %s", s.name))
		}
		if err := comm.Upload(c.RemotePath, bytes.NewReader(body), info); err != nil {
			return fmt.Errorf("uploading %s to %s: %w", s.name, c.RemotePath, err)
		}
		command, err := p.command()
		if err != nil {
			return err
		}
		cmd := &packer.RemoteCmd{Command: command}
		status, err := cmd.RunWithUi(ctx, comm, ui)
		if err != nil {
			return fmt.Errorf("running %s: %w", s.name, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("running %s: %w", s.name, ctx.Err())
		}
		if status == packer.CmdDisconnect {
			if c.ExpectDisconnect {
				ui.Say("The script ended the connection, as expect_disconnect allows")
				continue
			}
			return fmt.Errorf("%s: the connection was lost while it ran (set expect_disconnect if the script reboots the machine)", s.name)
		}
		if !validExit(c.ValidExitCodes, status) {
			return fmt.Errorf("%s exited with status %d, which is not one of valid_exit_codes %v", s.name, status, c.ValidExitCodes)
		}
		if !c.SkipClean {
			rm := &packer.RemoteCmd{Command: fmt.Sprintf("rm -f %s", shellQuote(c.RemotePath))}
			if status, err := rm.RunWithUi(ctx, comm, ui); err != nil || status != 0 {
				ui.Error(fmt.Sprintf("Could not remove %s after running it (status %d, %v)", c.RemotePath, status, err))
			}
		}
	}
	return nil
}

func (p *Provisioner) command() (string, error) {
	c := p.config
	var vars strings.Builder
	all := append([]string{
		"PACKER_BUILD_NAME=" + c.PackerBuildName,
		"PACKER_BUILDER_TYPE=" + c.PackerBuilderType,
	}, c.EnvironmentVars...)
	for _, kv := range all {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&vars, c.EnvVarFormat, k, strings.ReplaceAll(v, "'", `'"'"'`))
	}
	tpl, err := template.New("").Parse(c.ExecuteCommand)
	if err != nil {
		return "", fmt.Errorf("execute_command: %w", err)
	}
	var b strings.Builder
	if err := tpl.Execute(&b, map[string]string{"Path": c.RemotePath, "Vars": strings.TrimSpace(vars.String())}); err != nil {
		return "", fmt.Errorf("execute_command: %w", err)
	}
	return b.String(), nil
}

func validExit(codes []int, status int) bool {
	for _, c := range codes {
		if c == status {
			return true
		}
	}
	return false
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }
