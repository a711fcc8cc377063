// Package shell is Packer's shell provisioner: it uploads scripts (or inline
// commands written to a script) through the build's communicator and runs
// them there, streaming their output to the Ui as it comes.
package shell

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"text/template"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/internal/shellenv"
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
	// ExecuteCommand runs the uploaded script; it may use {{.Path}},
	// {{.Vars}} (". VARSFILE &&": the command that sources the variables
	// file) and {{.EnvVarFile}} (that file's path), as in Packer (default
	// "chmod +x {{.Path}}; {{.Vars}} {{.Path}}").
	ExecuteCommand string `mapstructure:"execute_command"`
	// RemoteFolder, RemoteFile and RemotePath say where scripts are
	// uploaded (default: a new file with an unpredictable name,
	// /tmp/script_RANDOM.sh, for each script).
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
	// randomPath says remote_file and remote_path were not set: each
	// script gets a new file with an unpredictable name in remote_folder.
	randomPath bool
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
	randomPath := c.RemoteFile == "" && c.RemotePath == ""
	if c.RemotePath == "" && c.RemoteFile != "" {
		c.RemotePath = inFolder(c.RemoteFolder, c.RemoteFile)
	}
	if len(c.ValidExitCodes) == 0 {
		c.ValidExitCodes = []int{0}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return err
	}
	p.config = c
	p.randomPath = randomPath
	return nil
}

// inFolder joins a remote folder and a file name. Not path.Join: a relative
// folder keeps its "./", so that "{{.Path}}" runs as a command.
func inFolder(folder, name string) string {
	return strings.TrimSuffix(folder, "/") + "/" + name
}

// cleanupTimeout bounds the removal of a script and its variables file,
// which runs even when the build was cancelled.
const cleanupTimeout = time.Minute

// Provision uploads and runs each script through comm.
func (p *Provisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	return packer.Cancelled(ctx, p.provision(ctx, ui, comm))
}

func (p *Provisioner) provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
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
		var info os.FileInfo
		if len(c.Inline) > 0 {
			var b bytes.Buffer
			fmt.Fprintf(&b, "#!%s\n", c.InlineShebang)
			for _, line := range c.Inline {
				b.WriteString(line + "\n")
			}
			body = b.Bytes()
			// It may hold rendered secrets: its owner's alone.
			info = remoteFile{mode: 0o700, size: len(body)}
			ui.Say("Provisioning with shell script: inline commands")
		} else {
			data, err := os.ReadFile(s.name)
			if err != nil {
				return fmt.Errorf("script: %w", err)
			}
			if info, err = os.Stat(s.name); err != nil {
				return fmt.Errorf("script: %w", err)
			}
			body = data
			ui.Say(fmt.Sprintf("Provisioning with shell script: %s", s.name))
		}
		if err := p.runScript(ctx, ui, comm, s.name, body, info); err != nil {
			return err
		}
	}
	return nil
}

// runScript uploads one script and its variables file, runs it, and removes
// both, whether it succeeded or not (the script stays with skip_clean; the
// variables file, which holds their values, never does).
//
// Both files are made new first, with a shell's noclobber redirection
// (O_EXCL) under umask 077, in the namespace where the command runs, so
// that nothing planted at their names (a symlink to a victim file) is
// written through: the upload then writes a file that is already ours.
// Their names are unpredictable (crypto/rand), so nothing can be planted
// in advance either. A remote_path the user set is used as it is.
func (p *Provisioner) runScript(ctx context.Context, ui packer.Ui, comm packer.Communicator, name string, body []byte, info os.FileInfo) error {
	c := p.config
	scriptPath, folder := c.RemotePath, path.Dir(c.RemotePath)
	if p.randomPath {
		scriptPath, folder = inFolder(c.RemoteFolder, "script_"+rand.Text()+".sh"), c.RemoteFolder
	}
	varsPath := inFolder(folder, "packer-env_"+rand.Text()+".sh")
	made := []string{varsPath}
	if p.randomPath {
		made = append(made, scriptPath)
	}
	defer p.remove(ctx, ui, comm, scriptPath, varsPath)
	if err := createNew(ctx, ui, comm, made); err != nil {
		return err
	}
	vars := shellenv.Content(c.EnvVarFormat, p.vars())
	varsInfo := os.FileInfo(remoteFile{mode: shellenv.FileMode, size: len(vars)})
	if err := comm.Upload(varsPath, bytes.NewReader(vars), &varsInfo); err != nil {
		return fmt.Errorf("uploading the environment_vars file %s: %w", varsPath, err)
	}
	if err := comm.Upload(scriptPath, bytes.NewReader(body), &info); err != nil {
		return fmt.Errorf("uploading %s to %s: %w", name, scriptPath, err)
	}
	command, err := p.command(scriptPath, varsPath)
	if err != nil {
		return err
	}
	cmd := &packer.RemoteCmd{Command: command}
	status, err := cmd.RunWithUi(ctx, comm, ui)
	if err != nil {
		return fmt.Errorf("running %s: %w", name, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("running %s: %w", name, ctx.Err())
	}
	if status == packer.CmdDisconnect {
		if c.ExpectDisconnect {
			ui.Say("The script ended the connection, as expect_disconnect allows")
			return nil
		}
		return fmt.Errorf("%s: the connection was lost while it ran (set expect_disconnect if the script reboots the machine)", name)
	}
	if !validExit(c.ValidExitCodes, status) {
		return fmt.Errorf("%s exited with status %d, which is not one of valid_exit_codes %v", name, status, c.ValidExitCodes)
	}
	return nil
}

// createNew makes each of paths a new empty file, readable by its owner
// only, failing if any exists already.
func createNew(ctx context.Context, ui packer.Ui, comm packer.Communicator, paths []string) error {
	var b strings.Builder
	b.WriteString("umask 077 && set -C")
	for _, p := range paths {
		b.WriteString(" && : > " + shellenv.Quote(p))
	}
	cmd := &packer.RemoteCmd{Command: b.String()}
	status, err := cmd.RunWithUi(ctx, comm, ui)
	if err == nil && status != 0 {
		err = fmt.Errorf("exit status %d", status)
	}
	if err != nil {
		return fmt.Errorf("creating %s, new files for the script and its environment_vars: %w; the output above says why (remote_folder must exist and be writable, and nothing may have these names already)", strings.Join(paths, " and "), err)
	}
	return nil
}

// remove removes the script (unless skip_clean) and the variables file,
// even after the build was cancelled, within cleanupTimeout.
func (p *Provisioner) remove(ctx context.Context, ui packer.Ui, comm packer.Communicator, scriptPath, varsPath string) {
	paths := []string{varsPath}
	if !p.config.SkipClean {
		paths = append(paths, scriptPath)
	}
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = shellenv.Quote(p)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	rm := &packer.RemoteCmd{Command: "rm -f " + strings.Join(quoted, " ")}
	if status, err := rm.RunWithUi(ctx, comm, ui); err != nil || status != 0 {
		ui.Error(fmt.Sprintf("Could not remove %s after running the script (status %d, %v); remove it by hand: it may hold the values of environment_vars", strings.Join(paths, " and "), status, err))
	}
}

// vars returns the variables the script sees: Packer's build name and
// type, then environment_vars, as KEY=VALUE.
func (p *Provisioner) vars() []string {
	return append([]string{
		"PACKER_BUILD_NAME=" + p.config.PackerBuildName,
		"PACKER_BUILDER_TYPE=" + p.config.PackerBuilderType,
	}, p.config.EnvironmentVars...)
}

// remoteFile is the FileInfo of a file the provisioner makes, for the mode
// the communicator gives it.
type remoteFile struct {
	mode fs.FileMode
	size int
}

func (f remoteFile) Name() string       { return "" }
func (f remoteFile) Size() int64        { return int64(f.size) }
func (f remoteFile) Mode() fs.FileMode  { return f.mode }
func (f remoteFile) ModTime() time.Time { return time.Now() }
func (f remoteFile) IsDir() bool        { return false }
func (f remoteFile) Sys() any           { return nil }

// command renders execute_command for the script at scriptPath and its
// variables file at varsPath.
func (p *Provisioner) command(scriptPath, varsPath string) (string, error) {
	tpl, err := template.New("").Parse(p.config.ExecuteCommand)
	if err != nil {
		return "", fmt.Errorf("execute_command: %w", err)
	}
	var b strings.Builder
	data := map[string]string{"Path": scriptPath, "Vars": shellenv.Source(varsPath), "EnvVarFile": varsPath}
	if err := tpl.Execute(&b, data); err != nil {
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
