// Package localshell runs shell-local's commands on the machine running
// packer, not inside the machine being built: the one runner of the
// shell-local provisioner and the shell-local post-processor, with its
// configuration, Packer's keys.
package localshell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/internal/exitstatus"
	"github.com/packer-classic/packer/internal/shellenv"
	"github.com/packer-classic/packer/packer"
)

// Config is shell-local's configuration, with Packer's keys.
type Config struct {
	// Command is one command to run (with execute_command).
	Command string `mapstructure:"command"`
	// inline, inline_shebang, script, scripts, environment_vars,
	// env_var_format and valid_exit_codes, as the shell provisioner has
	// them.
	shellenv.Common `mapstructure:",squash"`
	// ExecuteCommand is the command line that runs a script; its elements
	// may use {{.Vars}}, {{.Script}} and {{.Command}}.
	ExecuteCommand []string `mapstructure:"execute_command"`
	// OnlyOn lists the operating systems (runtime.GOOS values) to run on.
	OnlyOn []string `mapstructure:"only_on"`
	// UseLinuxPathing is accepted for Packer compatibility; paths are
	// native here.
	UseLinuxPathing bool `mapstructure:"use_linux_pathing"`
	// TempfileExtension is the extension of the inline script file.
	TempfileExtension string `mapstructure:"tempfile_extension"`

	// ExtraEnv is set by the caller, not the template: the post-processor
	// puts the artifact's facts here.
	ExtraEnv []string `mapstructure:"-"`

	packer.PackerConfig `mapstructure:",squash"`
}

// Decode reads and checks a shell-local configuration.
func Decode(raws ...any) (*Config, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Check validates a decoded configuration and fills in the defaults. The
// post-processor, which decodes its own keys besides these, calls it.
func (c *Config) Check() error {
	errs := c.Common.Check(shellenv.CommandSource{Key: "command", Set: c.Command != ""})
	if c.Command != "" {
		// As in Packer, a command is written to a script and run like
		// inline commands.
		c.Inline = []string{c.Command}
	}
	if len(c.ExecuteCommand) == 0 {
		if runtime.GOOS == "windows" {
			c.ExecuteCommand = []string{"cmd", "/V", "/C", "{{.Vars}}", "call", "{{.Script}}"}
		} else {
			c.ExecuteCommand = []string{"/bin/sh", "-c", "{{.Vars}} {{.Script}}"}
		}
	}
	for i, part := range c.ExecuteCommand {
		if _, err := template.New("").Parse(part); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("execute_command[%d]: %w", i, err))
		}
	}
	return errs.ErrorOrNil()
}

// Run runs a shell-local configuration here, streaming output to ui line by
// line, and fails on an exit code not in valid_exit_codes.
func Run(ctx context.Context, ui packer.Ui, c *Config) error {
	return packer.Cancelled(ctx, run(ctx, ui, c))
}

func run(ctx context.Context, ui packer.Ui, c *Config) error {
	if len(c.OnlyOn) > 0 && !contains(c.OnlyOn, runtime.GOOS) {
		ui.Say(fmt.Sprintf("Skipping shell-local: only_on is %v and this is %s", c.OnlyOn, runtime.GOOS))
		return nil
	}
	scripts := c.Scripts
	if len(c.Inline) > 0 {
		path, err := writeInlineScript(c)
		if err != nil {
			return err
		}
		defer os.Remove(path)
		scripts = []string{path}
	}
	vars := envVars(c)
	sourceVars, removeVars, err := writeVarsFile(c, vars)
	if err != nil {
		return err
	}
	defer removeVars()
	for _, script := range scripts {
		if c.Command != "" {
			ui.Say(fmt.Sprintf("Running local command: %s", c.Command))
		} else if len(c.Inline) > 0 {
			ui.Say("Running local shell script with the inline commands")
		} else {
			ui.Say(fmt.Sprintf("Running local shell script: %s", script))
		}
		if err := runOne(ctx, ui, c, vars, sourceVars, script); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func writeInlineScript(c *Config) (string, error) {
	f, err := os.CreateTemp("", "packer-shell-*"+c.TempfileExtension)
	if err != nil {
		return "", fmt.Errorf("writing the inline script: %w", err)
	}
	var b bytes.Buffer
	if runtime.GOOS != "windows" {
		fmt.Fprintf(&b, "#!%s\n", c.InlineShebang)
	}
	for _, line := range c.Inline {
		b.WriteString(line + "\n")
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return "", err
	}
	f.Close()
	// Its owner's alone: the commands may hold rendered secrets.
	if err := os.Chmod(f.Name(), 0o700); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// writeVarsFile writes the variables to a new file only its owner can read
// (os.CreateTemp: an unpredictable name, made with O_EXCL) and returns what
// {{.Vars}} renders to, which sources it, and how to remove it. The values
// are in the command's environment too; the file serves execute_commands
// that reset it (sudo). They are never on the command line, where every
// user of the machine could read them. On Windows, where cmd cannot source
// the file, {{.Vars}} is empty and the environment alone carries them.
func writeVarsFile(c *Config, vars []string) (source string, remove func(), err error) {
	if runtime.GOOS == "windows" {
		return "", func() {}, nil
	}
	f, err := os.CreateTemp("", "packer-env-*.sh")
	if err != nil {
		return "", nil, fmt.Errorf("writing the environment_vars file: %w", err)
	}
	remove = func() { os.Remove(f.Name()) }
	if _, err := f.Write(shellenv.Content(c.EnvVarFormat, vars)); err != nil {
		f.Close()
		remove()
		return "", nil, fmt.Errorf("writing the environment_vars file %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		remove()
		return "", nil, fmt.Errorf("writing the environment_vars file %s: %w", f.Name(), err)
	}
	return shellenv.Source(f.Name()), remove, nil
}

// envVars returns the variables scripts see: Packer's build name and type,
// then environment_vars, as KEY=VALUE.
func envVars(c *Config) []string {
	vars := []string{
		"PACKER_BUILD_NAME=" + c.PackerBuildName,
		"PACKER_BUILDER_TYPE=" + c.PackerBuilderType,
	}
	vars = append(vars, c.ExtraEnv...)
	return append(vars, c.EnvironmentVars...)
}

func runOne(ctx context.Context, ui packer.Ui, c *Config, vars []string, sourceVars, script string) error {
	// A relative script ("b.sh") is a file, not a command to look up in
	// PATH: Packer runs it from the working directory.
	if !filepath.IsAbs(script) {
		abs, err := filepath.Abs(script)
		if err != nil {
			return fmt.Errorf("script %s: %w", script, err)
		}
		script = abs
	}
	data := map[string]string{"Vars": sourceVars, "Script": script, "Command": c.Command}
	argv := make([]string, len(c.ExecuteCommand))
	for i, part := range c.ExecuteCommand {
		tpl, err := template.New("").Parse(part)
		if err != nil {
			return fmt.Errorf("execute_command: %w", err)
		}
		var b strings.Builder
		if err := tpl.Execute(&b, data); err != nil {
			return fmt.Errorf("execute_command: %w", err)
		}
		argv[i] = b.String()
	}
	cmd := local.Command(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), vars...)
	stdout, stderr := packer.NewLineWriter(ui.Message), packer.NewLineWriter(ui.Error)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	stdout.Close()
	stderr.Close()
	if ctx.Err() != nil {
		return fmt.Errorf("shell-local was cancelled: %w", ctx.Err())
	}
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitstatus.Of(exitErr.ProcessState) // 128+N for signal N
	} else if err != nil {
		return err
	}
	if !containsInt(c.ValidExitCodes, code) {
		what := script
		if c.Command != "" {
			what = fmt.Sprintf("command %q", c.Command)
		} else if len(c.Inline) > 0 {
			what = "the inline commands"
		}
		return fmt.Errorf("%s exited with status %d, which is not one of valid_exit_codes %v", what, code, c.ValidExitCodes)
	}
	return nil
}

func containsInt(list []int, n int) bool {
	for _, item := range list {
		if item == n {
			return true
		}
	}
	return false
}
