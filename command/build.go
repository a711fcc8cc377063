package command

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// BuildCommand runs every build a template declares, in parallel, and ends
// with a summary of each build's artifacts or error.
type BuildCommand struct {
	Meta *Meta
}

// Help explains `packer build` and its options.
func (c *BuildCommand) Help() string {
	return `Usage: packer build [options] TEMPLATE

  Runs every build in the template, in parallel: each builder, then its
  provisioners, then its post-processor chains. Each build's output is
  prefixed with its name (in its own colour on a terminal). At the end,
  the artifacts of every successful build and the error of every failed
  one are listed. Exits 0 when every build succeeded, 1 otherwise.

Options:

  -only=a,b                Run only these builds (by name).
  -except=a,b              Run every build but these, and no post-processor
                           of these names. With -only, both apply.
  -force                   Replace artifacts left by an earlier run.
  -debug                   Pause before each provisioner (press enter to go
                           on); builds run one at a time.
  -parallel-builds=N       Run at most N builds at once (0 = no limit).
  -var 'key=value'         Set a user variable; repeatable.
  -var-file=vars.json      Read user variables from a JSON file; repeatable.
  -on-error=MODE           On a failed build: cleanup (the default) cleans
                           up; abort leaves everything in place to inspect,
                           skipping the error-cleanup-provisioner;
                           run-cleanup-provisioner leaves everything in
                           place but runs the error-cleanup-provisioner.
  -color=false             No colour, even on a terminal.
  -machine-readable        timestamp,target,type,data... records on stdout.`
}

// Synopsis is the one line `packer help` shows.
func (c *BuildCommand) Synopsis() string { return "Runs the builds of a template" }

// buildOptions are the parsed flags shared by build and validate.
type buildOptions struct {
	only, except listFlag
	vars         varFlag
	varFiles     pathsFlag
}

func (o *buildOptions) register(fs *flag.FlagSet) {
	o.vars = varFlag{}
	fs.Var(&o.only, "only", "")
	fs.Var(&o.except, "except", "")
	fs.Var(o.vars, "var", "")
	fs.Var(&o.varFiles, "var-file", "")
}

// variables merges the var files in order, then -var flags over them.
func (o *buildOptions) variables() (map[string]string, error) {
	out := map[string]string{}
	for _, path := range o.varFiles {
		vars, err := template.ReadVarFile(path)
		if err != nil {
			return nil, err
		}
		for k, v := range vars {
			out[k] = v
		}
	}
	for k, v := range o.vars {
		out[k] = v
	}
	return out, nil
}

// newCore reads the template and makes the core that will run it: every
// problem with the template, its variables and -only/-except at once. A
// value given for a variable the template does not declare is accepted, as
// Packer does, with a warning on ui: it is usually a typo.
//
// It also returns the values of the template's sensitive variables, to mask
// in everything the caller shows, and makes the log mask them from here
// on, then logs the variables given (the log's first line hid them, not
// knowing yet which are sensitive). When the core cannot be made, they are
// the values as given or written, so that the error can be shown masked.
func newCore(m *Meta, ui packer.Ui, path string, opts *buildOptions) (*packer.Core, []string, error) {
	tpl, err := template.ParseFile(path)
	if err != nil {
		return nil, nil, err
	}
	if err := m.pinRequiredPlugins(tpl, path); err != nil {
		return nil, nil, err
	}
	vars, err := opts.variables()
	if err != nil {
		return nil, nil, err
	}
	core, err := packer.NewCore(&packer.CoreConfig{
		Template:   tpl,
		Components: m.ComponentFinder(),
		Variables:  vars,
		Only:       opts.only,
		Except:     opts.except,
		Version:    packer.Version,
	})
	sensitive := tpl.SensitiveValuesAsWritten(vars)
	if err == nil {
		sensitive = core.SensitiveValues()
	}
	maskLog(m.Logger, sensitive)
	m.Logger.Printf("variables given (-var-file, then -var): %s", givenVariables(vars, tpl.SensitiveVariables))
	for _, name := range tpl.UndeclaredVariables(vars) {
		ui.Error(fmt.Sprintf("Warning: a value is given for variable %q (-var or -var-file), but %s does not declare it; it is not used. Declare it under \"variables\", or check its spelling.", name, path))
	}
	// The warnings can quote rendered build names: mask them too.
	masked := newMaskingUi(ui, sensitive)
	warnTemplate(masked, tpl)
	if err != nil {
		return nil, sensitive, err
	}
	for _, w := range core.Warnings() {
		masked.Error("Warning: " + w)
	}
	for _, sel := range core.UnknownSelections() {
		masked.Error(fmt.Sprintf("Warning: %s names no build of %s, so it selects nothing (its builds are %s; a build is named by its \"name\", else its type)", sel, path, strings.Join(core.AllBuildNames(), ", ")))
	}
	return core, sensitive, nil
}

// warnTemplate shows what the template says that Packer accepts but is
// most likely a mistake.
func warnTemplate(ui packer.Ui, tpl *template.Template) {
	for _, w := range tpl.Warnings {
		ui.Error("Warning: " + w)
	}
}

// givenVariables formats the given variables for the log, sorted, each
// sensitive one as <sensitive> whatever its value (the masked log would
// also hide it, but not one that renders to another value).
func givenVariables(vars map[string]string, sensitive []string) string {
	parts := make([]string, 0, len(vars))
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		v := vars[k]
		if slices.Contains(sensitive, k) {
			v = maskText
		}
		parts = append(parts, fmt.Sprintf("%s=%q", k, v))
	}
	return strings.Join(parts, " ")
}

// Run runs the builds.
func (c *BuildCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	var opts buildOptions
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	opts.register(fs)
	force := fs.Bool("force", false, "")
	debug := fs.Bool("debug", false, "")
	parallel := fs.Int("parallel-builds", 0, "")
	onError := fs.String("on-error", "cleanup", "")
	colour := fs.Bool("color", true, "")
	machine := fs.Bool("machine-readable", false, "")
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		ui.Error("packer build takes exactly one template file; run `packer build -h`")
		return 1
	}
	if !slices.Contains(packer.OnErrorModes(), *onError) {
		ui.Error(fmt.Sprintf("-on-error=%q: use one of %s", *onError, strings.Join(packer.OnErrorModes(), ", ")))
		return 1
	}
	if *parallel < 0 {
		ui.Error(fmt.Sprintf("-parallel-builds=%d: use 0 (no limit) or a positive number", *parallel))
		return 1
	}
	core, sensitive, err := newCore(c.Meta, ui, fs.Arg(0), &opts)
	ui = newMaskingUi(ui, sensitive)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}

	names := core.BuildNames()
	if len(names) == 0 {
		ui.Error(fmt.Sprintf("no builds to run: -only/-except left none of the template's builds (%s)", strings.Join(core.AllBuildNames(), ", ")))
		return 1
	}
	out := &sharedOutput{stdout: c.Meta.Stdout, stderr: c.Meta.Stderr}
	if c.Meta.Stdin != nil {
		out.stdin = bufio.NewReader(c.Meta.Stdin)
	}
	useColour := *colour && c.Meta.StdoutIsTerminal && !*machine

	// Make and prepare every build first: a build whose plugins cannot be
	// found or whose configuration is wrong fails alone, and the others
	// still run, as in Packer.
	var jobs []buildJob
	var failed []buildResult
	for i, name := range names {
		// As in Packer, output names a build TYPE.NAME.
		display := core.DisplayName(name)
		buildUi := newMaskingUi(newBuildUi(out, display, i, useColour, *machine), sensitive)
		b, err := core.Build(name)
		if err == nil {
			b.SetDebug(*debug)
			b.SetForce(*force)
			b.SetOnError(*onError)
			var warnings []string
			warnings, err = b.Prepare()
			for _, w := range warnings {
				buildUi.Say("Warning: " + w)
			}
		}
		if err != nil {
			buildUi.Error(fmt.Sprintf("Cannot start: %v", err))
			failed = append(failed, buildResult{name: display, ui: buildUi, err: err})
			continue
		}
		jobs = append(jobs, buildJob{name: display, ui: buildUi, run: b.Run})
	}
	if *debug {
		ui.Say("Debug mode enabled. Builds will not be parallelized.")
		*parallel = 1
	}

	start := time.Now()
	results := append(failed, runBuilds(ctx, jobs, *parallel)...)
	sort.SliceStable(results, func(i, j int) bool { return results[i].name < results[j].name })
	if ctx.Err() != nil {
		ui.Error("Cleanly cancelled builds after being interrupted; each build's outcome follows.")
	}
	writeSummary(ui, results, time.Since(start))
	code := 0
	for _, r := range results {
		if r.err == nil {
			continue
		}
		code = 1
		if *onError != packer.OnErrorCleanup {
			ui.Error(fmt.Sprintf("-on-error=%s: build '%s' left what it made in place for you to inspect; remove it by hand when done.", *onError, r.name))
		}
	}
	return code
}
