// Package core turns a template into builds and runs them: it resolves the
// template's variables, makes each build's builder, provisioners and
// post-processor chains through a ComponentFinder (which package command
// fills with plugin processes), prepares them, runs the builder with the
// provision hook, and carries the artifact through each chain with
// Packer's keep and destroy rules. It is the core's alone: plugins link
// package packer, never this one.
package core

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/hashicorp/go-version"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
	"github.com/packer-classic/packer/packer/template/interpolate"
)

// ComponentFinder makes the components a template names. The command layer
// fills it with functions that start plugin processes; each call returns a
// fresh component, so builds never share one.
type ComponentFinder struct {
	Builder       func(typ string) (packer.Builder, error)
	Provisioner   func(typ string) (packer.Provisioner, error)
	PostProcessor func(typ string) (packer.PostProcessor, error)
	Hook          func(name string) (packer.Hook, error)
}

// CoreConfig is what a Core is made from.
type CoreConfig struct {
	Template   *template.Template
	Components ComponentFinder
	// Variables are the values the user gave: var files first, then -var
	// flags, later ones winning.
	Variables map[string]string
	// Only and Except select builds by name, both applying when both are
	// given; Except also drops post-processors by name, as Packer does.
	Only, Except []string
	// Version is this packer's version, checked against
	// min_packer_version and shown by {{packer_version}}.
	Version string
}

// Core turns a template into builds: it resolves the variables, checks the
// template, and makes each build's components on request.
type Core struct {
	config    CoreConfig
	template  *template.Template
	variables map[string]string
	sensitive []string
	now       time.Time
	// builds are the template's builders by their rendered names: as in
	// Packer, "name": "{{user `os`}}-vm" names a build "ubuntu-vm", and
	// -only, -except and the output use that name.
	builds map[string]*template.Builder
	// warnings are for the command to show (see Warnings).
	warnings []string
}

// NewCore checks the template and resolves its variables. Every problem is
// reported at once.
func NewCore(config *CoreConfig) (*Core, error) {
	tpl := config.Template
	if tpl == nil {
		return nil, fmt.Errorf("no template")
	}
	c := &Core{config: *config, template: tpl, now: time.Now().UTC()}
	var errs *multierror.Error
	if err := tpl.Validate(); err != nil {
		errs = multierror.Append(errs, err)
	}
	warning, err := checkMinVersion(tpl, config.Version)
	if err != nil {
		errs = multierror.Append(errs, err)
	}
	if warning != "" {
		c.warnings = append(c.warnings, warning)
	}
	vars, err := tpl.ResolveVariables(config.Variables, c.interpolation("", ""))
	if err != nil {
		errs = multierror.Append(errs, err)
	}
	c.variables = vars
	c.sensitive = tpl.SensitiveValues(vars)
	// Names render only once the variables have values; until then -only
	// is checked against the names as written.
	c.builds = tpl.Builders
	if err == nil {
		builds, err := tpl.RenderBuildNames(c.interpolation("", ""))
		if err != nil {
			errs = multierror.Append(errs, err)
		} else {
			c.builds = builds
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkMinVersion refuses a template whose min_packer_version is newer than
// current. A development build stamped with something that is not a version
// (a git hash, as `make dev` in a fresh clone stamps) cannot be compared: it
// runs the template, and the warning says the check was skipped.
func checkMinVersion(tpl *template.Template, current string) (warning string, err error) {
	if tpl.MinVersion == "" || current == "" {
		return "", nil
	}
	want, err := version.NewVersion(tpl.MinVersion)
	if err != nil {
		return "", fmt.Errorf("min_packer_version %q is not a version", tpl.MinVersion)
	}
	have, err := version.NewVersion(current)
	if err != nil {
		return fmt.Sprintf("min_packer_version %s is not checked: this packer's version %q is not a version number (a development build stamped with a git revision); build from a release tag, or with make VERSION=X.Y.Z, to have it checked", want, current), nil
	}
	if have.LessThan(want) {
		return "", fmt.Errorf("this template needs packer %s or newer (min_packer_version) and this is %s; upgrade packer", want, have)
	}
	return "", nil
}

// Warnings are what the command should show before any build runs: what
// the core accepted but the user should know.
func (c *Core) Warnings() []string { return c.warnings }

// interpolation is the context templates are rendered in for one build.
func (c *Core) interpolation(buildName, buildType string) *interpolate.Context {
	return &interpolate.Context{
		UserVariables:      c.variables,
		SensitiveVariables: c.template.SensitiveVariables,
		BuildName:          buildName,
		BuildType:          buildType,
		TemplatePath:       c.template.Path,
		PackerVersion:      c.config.Version,
		Now:                c.now,
	}
}

// SensitiveValues returns the values to mask in all output.
func (c *Core) SensitiveValues() []string { return c.sensitive }

// BuildNames returns the names of the builds to run, after -only and
// -except, sorted.
func (c *Core) BuildNames() []string {
	var names []string
	for _, n := range c.allBuildNames() {
		if len(c.config.Only) > 0 && !slices.Contains(c.config.Only, n) {
			continue
		}
		if slices.Contains(c.config.Except, n) {
			continue
		}
		names = append(names, n)
	}
	return names
}

// UnknownSelections returns the -only and -except names ("-only=nope")
// that name no build, for the caller to warn about: as in Packer they select
// nothing, and a build is selected by its bare name, never TYPE.NAME or a
// glob.
func (c *Core) UnknownSelections() []string {
	var out []string
	for _, sel := range []struct {
		flag  string
		names []string
	}{{"-only", c.config.Only}, {"-except", c.config.Except}} {
		for _, n := range sel.names {
			if _, ok := c.builds[n]; !ok {
				out = append(out, sel.flag+"="+n)
			}
		}
	}
	return out
}

// AllBuildNames returns the name of every build of the template, -only and
// -except aside, sorted.
func (c *Core) AllBuildNames() []string { return c.allBuildNames() }

// DisplayName is how the Ui, the artifact summary and -machine-readable
// records show the build called name, as Packer shows a JSON template's
// builds: TYPE.NAME ("null.web"), or the type alone for a build named by
// its type. -only, -except, {{build_name}} and PACKER_BUILD_NAME use the
// bare name.
func (c *Core) DisplayName(name string) string {
	b, ok := c.builds[name]
	if !ok || b.Type == name {
		return name
	}
	return b.Type + "." + name
}

// allBuildNames returns the rendered names of every build, sorted.
func (c *Core) allBuildNames() []string { return slices.Sorted(maps.Keys(c.builds)) }

// Build makes the build called name: its builder, and the provisioners and
// post-processors that apply to it, each a fresh component.
func (c *Core) Build(name string) (*Build, error) {
	tb, ok := c.builds[name]
	if !ok {
		return nil, fmt.Errorf("the template has no build named %q", name)
	}
	ictx := c.interpolation(tb.Name, tb.Type)
	b := &Build{
		name:      tb.Name,
		typ:       tb.Type,
		variables: c.variables,
		onError:   OnErrorCleanup,
		ictx:      ictx,
	}
	finder := c.config.Components
	if finder.Builder == nil {
		return nil, fmt.Errorf("build %q: no way to make builders", name)
	}
	var err error
	if b.builder, err = finder.Builder(tb.Type); err != nil {
		return nil, fmt.Errorf("build %q: builder %q: %w", name, tb.Type, err)
	}
	if b.builderConfig, err = b.configFor(b.builder, tb.Config, "builder "+tb.Type); err != nil {
		return nil, fmt.Errorf("build %q: builder %s: %w", name, tb.Type, err)
	}
	if b.hooks, err = c.newHooks(finder, name); err != nil {
		return nil, err
	}

	for i, tp := range c.template.Provisioners {
		if tp.Skip(name) {
			continue
		}
		p, err := b.newProvisioner(finder, tp, fmt.Sprintf("provisioner %d (%s)", i+1, tp.Type))
		if err != nil {
			return nil, fmt.Errorf("build %q: %w", name, err)
		}
		b.provisioners = append(b.provisioners, p)
	}
	if tp := c.template.ErrorCleanupProvisioner; tp != nil && !tp.Skip(name) {
		if b.errorCleanup, err = b.newProvisioner(finder, tp, fmt.Sprintf("error-cleanup-provisioner (%s)", tp.Type)); err != nil {
			return nil, fmt.Errorf("build %q: %w", name, err)
		}
	}

	for _, chain := range c.template.PostProcessors {
		var steps []*buildPostProcessor
		for _, tp := range chain {
			if tp.Skip(name) {
				continue
			}
			// As in Packer, -except naming a post-processor drops it
			// and the rest of its chain, which would work on its
			// artifact.
			if slices.Contains(c.config.Except, tp.Name) {
				break
			}
			pp, err := finder.PostProcessor(tp.Type)
			if err != nil {
				return nil, fmt.Errorf("build %q: post-processor %q: %w", name, tp.Type, err)
			}
			rendered, err := b.configFor(pp, tp.Config, "post-processor "+tp.Name)
			if err != nil {
				return nil, fmt.Errorf("build %q: post-processor %s: %w", name, tp.Name, err)
			}
			steps = append(steps, &buildPostProcessor{
				name: tp.Name, typ: tp.Type, postProcessor: pp,
				raw: tp.Config, config: rendered, keepInput: tp.KeepInputArtifact,
			})
		}
		if len(steps) > 0 {
			b.postProcessors = append(b.postProcessors, steps)
		}
	}
	return b, nil
}

// newHooks makes, for the build called build, a fresh hook for each name
// the template's "hooks" gives an event, in order.
func (c *Core) newHooks(finder ComponentFinder, build string) (map[string][]packer.Hook, error) {
	hooks := make(map[string][]packer.Hook, len(c.template.Hooks))
	for _, event := range slices.Sorted(maps.Keys(c.template.Hooks)) {
		for _, name := range c.template.Hooks[event] {
			if finder.Hook == nil {
				return nil, fmt.Errorf("build %q: no way to make hooks", build)
			}
			h, err := finder.Hook(name)
			if err != nil {
				return nil, fmt.Errorf("build %q: hook %q (hooks.%s): %w", build, name, event, err)
			}
			hooks[event] = append(hooks[event], h)
		}
	}
	return hooks, nil
}

// newProvisioner makes the provisioner tp for this build, called where in
// messages ("provisioner 2 (shell-local)"), its configuration (with the
// build's override laid over it) rendered without build data.
func (b *Build) newProvisioner(finder ComponentFinder, tp *template.Provisioner, where string) (*buildProvisioner, error) {
	raw := mergeConfig(tp.Config, tp.Override[b.name])
	p, err := finder.Provisioner(tp.Type)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	rendered, err := b.configFor(p, raw, where)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &buildProvisioner{
		typ: tp.Type, where: where, provisioner: p, raw: raw, config: rendered,
		pauseBefore: tp.PauseBefore, timeout: tp.Timeout, maxRetries: tp.MaxRetries,
	}, nil
}

// mergeConfig returns base with override's keys laid over it.
func mergeConfig(base map[string]any, override any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	if o, ok := override.(map[string]any); ok {
		for k, v := range o {
			out[k] = v
		}
	}
	return out
}

// Validate makes every selected build and prepares it, so each component
// checks its own configuration: packer validate. It returns every problem
// of every build at once (one *multierror.Error, a line per problem, each
// naming its build) and the warnings the components gave, each as
// "build 'NAME': WARNING".
func (c *Core) Validate() (warnings []string, err error) {
	var errs *multierror.Error
	for _, name := range c.BuildNames() {
		b, err := c.Build(name)
		if err != nil {
			errs = multierror.Append(errs, err) // the core's errors name the build
			continue
		}
		w, err := b.Prepare()
		for _, s := range w {
			warnings = append(warnings, fmt.Sprintf("build '%s': %s", name, s))
		}
		if err != nil {
			errs = multierror.Append(errs, err) // flattens: one line per problem
		}
	}
	return warnings, errs.ErrorOrNil()
}
