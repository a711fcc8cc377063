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
	"github.com/packer-classic/packer/packer/core"
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
func newCore(m *Meta, ui packer.Ui, path string, opts *buildOptions) (*core.Core, []string, error) {
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
	tc, err := core.NewCore(&core.CoreConfig{
		Template:   tpl,
		Components: m.ComponentFinder(),
		Variables:  vars,
		Only:       opts.only,
		Except:     opts.except,
		Version:    packer.Version,
	})
	sensitive := tpl.SensitiveValuesAsWritten(vars)
	if err == nil {
		sensitive = tc.SensitiveValues()
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
	for _, w := range tc.Warnings() {
		masked.Error("Warning: " + w)
	}
	for _, sel := range tc.UnknownSelections() {
		masked.Error(fmt.Sprintf("Warning: %s names no build of %s, so it selects nothing (its builds are %s; a build is named by its \"name\", else its type)", sel, path, strings.Join(tc.AllBuildNames(), ", ")))
	}
	return tc, sensitive, nil
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

// buildFlags are packer build's options, parsed.
type buildFlags struct {
	opts                          buildOptions
	force, debug, colour, machine bool
	parallel                      int
	onError                       string
	template                      string
}

// Run runs the builds: the options, the core, every build made and
// prepared, then run in parallel, then the summary.
func (c *BuildCommand) Run(ctx context.Context, ui packer.Ui, args []string) int {
	f, code := c.flags(ui, args)
	if code >= 0 {
		return code
	}
	tc, sensitive, err := newCore(c.Meta, ui, f.template, &f.opts)
	ui = newMaskingUi(ui, sensitive)
	if err != nil {
		ui.Error(err.Error())
		return 1
	}

	names := tc.BuildNames()
	if len(names) == 0 {
		ui.Error(fmt.Sprintf("no builds to run: -only/-except left none of the template's builds (%s)", strings.Join(tc.AllBuildNames(), ", ")))
		return 1
	}
	jobs, failed := c.prepareBuilds(tc, names, sensitive, f)
	if f.debug {
		ui.Say("Debug mode enabled. Builds will not be parallelized.")
		f.parallel = 1
	}

	start := time.Now()
	results := append(failed, runBuilds(ctx, jobs, f.parallel)...)
	sort.SliceStable(results, func(i, j int) bool { return results[i].name < results[j].name })
	if ctx.Err() != nil {
		ui.Error("Cleanly cancelled builds after being interrupted; each build's outcome follows.")
	}
	writeSummary(ui, results, time.Since(start))
	return exitCode(ui, results, f.onError)
}

// flags parses and checks packer build's options. A code of 0 or more
// means Run returns it (help shown, or a bad option reported).
func (c *BuildCommand) flags(ui packer.Ui, args []string) (*buildFlags, int) {
	f := &buildFlags{}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	f.opts.register(fs)
	fs.BoolVar(&f.force, "force", false, "")
	fs.BoolVar(&f.debug, "debug", false, "")
	fs.IntVar(&f.parallel, "parallel-builds", 0, "")
	fs.StringVar(&f.onError, "on-error", "cleanup", "")
	fs.BoolVar(&f.colour, "color", true, "")
	fs.BoolVar(&f.machine, "machine-readable", false, "")
	if code := runFlags(ui, c, fs, args); code >= 0 {
		return nil, code
	}
	if fs.NArg() != 1 {
		ui.Error("packer build takes exactly one template file; run `packer build -h`")
		return nil, 1
	}
	if !slices.Contains(core.OnErrorModes(), f.onError) {
		ui.Error(fmt.Sprintf("-on-error=%q: use one of %s", f.onError, strings.Join(core.OnErrorModes(), ", ")))
		return nil, 1
	}
	if f.parallel < 0 {
		ui.Error(fmt.Sprintf("-parallel-builds=%d: use 0 (no limit) or a positive number", f.parallel))
		return nil, 1
	}
	f.template = fs.Arg(0)
	return f, -1
}

// prepareBuilds makes and prepares every build first: a build whose
// plugins cannot be found or whose configuration is wrong fails alone, and
// the others still run, as in Packer. It returns the jobs to run and the
// results of the builds that failed already.
func (c *BuildCommand) prepareBuilds(tc *core.Core, names, sensitive []string, f *buildFlags) ([]buildJob, []buildResult) {
	out := &sharedOutput{stdout: c.Meta.Stdout, stderr: c.Meta.Stderr}
	if c.Meta.Stdin != nil {
		out.stdin = bufio.NewReader(c.Meta.Stdin)
	}
	useColour := f.colour && c.Meta.StdoutIsTerminal && !f.machine

	var jobs []buildJob
	var failed []buildResult
	for i, name := range names {
		// As in Packer, output names a build TYPE.NAME.
		display := tc.DisplayName(name)
		buildUi := newMaskingUi(newBuildUi(out, display, i, useColour, f.machine), sensitive)
		b, err := tc.Build(name)
		if err == nil {
			b.SetDebug(f.debug)
			b.SetForce(f.force)
			b.SetOnError(f.onError)
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
	return jobs, failed
}

// exitCode is 1 when a build failed, else 0; with -on-error other than
// cleanup it says what each failed build left behind.
func exitCode(ui packer.Ui, results []buildResult, onError string) int {
	code := 0
	for _, r := range results {
		if r.err == nil {
			continue
		}
		code = 1
		if onError != core.OnErrorCleanup {
			ui.Error(fmt.Sprintf("-on-error=%s: build '%s' left what it made in place for you to inspect; remove it by hand when done.", onError, r.name))
		}
	}
	return code
}
