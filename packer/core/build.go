package core

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template/interpolate"
)

// Build is one build of a template: a builder, the provisioners that run
// inside what it builds, and the post-processor chains that turn its
// artifact into others.
type Build struct {
	name, typ string

	builder       packer.Builder
	builderConfig any
	// hooks are the template's hooks ("hooks") by event, which the
	// builder's hook runs before the core's own (see eventHooks).
	hooks map[string][]packer.Hook

	provisioners   []*buildProvisioner
	postProcessors [][]*buildPostProcessor
	// errorCleanup, the template's "error-cleanup-provisioner", runs
	// when a provisioner fails, before the build winds down.
	errorCleanup *buildProvisioner

	variables map[string]string
	ictx      *interpolate.Context
	debug     bool
	force     bool
	onError   string

	mu        sync.Mutex
	buildData map[string]any // what the builder shared through the provision hook

	// warned holds every warning shown, so a configuration rendered again
	// (with build data) does not repeat one; pending are those found
	// before there was a Ui to show them on, which Prepare returns.
	warnMu  sync.Mutex
	warned  map[string]bool
	pending []string
}

type buildPostProcessor struct {
	name, typ     string
	postProcessor packer.PostProcessor
	raw           map[string]any
	config        any
	keepInput     *bool
}

// Name is the build's name: the builder's "name", else its type.
func (b *Build) Name() string { return b.name }

// Type is the builder's type.
func (b *Build) Type() string { return b.typ }

// SetDebug turns on -debug for every component of the build.
func (b *Build) SetDebug(on bool) { b.debug = on }

// SetForce turns on -force: builders may overwrite earlier output.
func (b *Build) SetForce(on bool) { b.force = on }

// The -on-error modes, as in Packer: what a failed build leaves.
const (
	// OnErrorCleanup (the default) cleans up what the build made, running
	// the error-cleanup-provisioner first when provisioning failed.
	OnErrorCleanup = "cleanup"
	// OnErrorAbort leaves everything in place to inspect, and skips the
	// error-cleanup-provisioner.
	OnErrorAbort = "abort"
	// OnErrorRunCleanupProvisioner leaves the build's resources in place
	// as abort does, but runs the error-cleanup-provisioner.
	OnErrorRunCleanupProvisioner = "run-cleanup-provisioner"
)

// OnErrorModes returns the -on-error values this packer accepts.
func OnErrorModes() []string {
	return []string{OnErrorCleanup, OnErrorAbort, OnErrorRunCleanupProvisioner}
}

// SetOnError sets -on-error, one of OnErrorModes. Builders see it as
// packer_on_error.
func (b *Build) SetOnError(mode string) { b.onError = mode }

// packerConfig is what the core passes every component besides its own
// configuration, under the packer_* keys.
func (b *Build) packerConfig() map[string]any {
	return map[string]any{
		packer.BuildNameConfigKey:     b.name,
		packer.BuilderTypeConfigKey:   b.typ,
		packer.DebugConfigKey:         b.debug,
		packer.ForceConfigKey:         b.force,
		packer.OnErrorConfigKey:       b.onError,
		packer.UserVariablesConfigKey: b.variables,
	}
}

// Prepare hands every component its configuration and reports every
// problem at once, each naming the build and the component.
func (b *Build) Prepare() ([]string, error) {
	var errs *multierror.Error
	warnings, err := b.builder.Prepare(append([]any{b.builderConfig}, b.prepareArgs(b.builder, false)...)...)
	if err != nil {
		errs = multierror.Append(errs, fmt.Errorf("build %q: builder %s: %w", b.name, b.typ, err))
	}
	for i, p := range b.provisioners {
		if err := p.provisioner.Prepare(append([]any{p.config}, b.prepareArgs(p.provisioner, true)...)...); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("build %q: provisioner %d (%s): %w", b.name, i+1, p.typ, err))
		}
	}
	if p := b.errorCleanup; p != nil {
		if err := p.provisioner.Prepare(append([]any{p.config}, b.prepareArgs(p.provisioner, true)...)...); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("build %q: error-cleanup-provisioner (%s): %w", b.name, p.typ, err))
		}
	}
	for _, chain := range b.postProcessors {
		for _, pp := range chain {
			if err := pp.postProcessor.Prepare(append([]any{pp.config}, b.prepareArgs(pp.postProcessor, true)...)...); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err))
			}
		}
	}
	return append(warnings, b.takePending()...), errs.ErrorOrNil()
}

// warner returns the function that shows a rendering warning about the
// component where ("provisioner 1 (shell-local)") once, on ui, or keeps it
// for Prepare to return when ui is nil.
func (b *Build) warner(where string, ui packer.Ui) func(string) {
	return func(m string) {
		msg := where + ": " + m
		b.warnMu.Lock()
		defer b.warnMu.Unlock()
		if b.warned[msg] {
			return
		}
		if b.warned == nil {
			b.warned = map[string]bool{}
		}
		b.warned[msg] = true
		if ui == nil {
			b.pending = append(b.pending, msg)
			return
		}
		ui.Say("Warning: " + msg)
	}
}

func (b *Build) takePending() []string {
	b.warnMu.Lock()
	defer b.warnMu.Unlock()
	out := b.pending
	b.pending = nil
	return out
}

// render renders raw, the configuration of the component where, with data
// as the build data (nil keeps {{build}} actions for later), its warnings
// going to ui (nil: to Prepare's warnings).
func (b *Build) render(raw any, where string, data map[string]any, ui packer.Ui) (any, error) {
	ctx := *b.ictx
	ctx.BuildData = data
	ctx.Warn = b.warner(where, ui)
	return interpolate.RenderInterface(raw, &ctx)
}

// eventHooks returns what the hook given to the builder runs for each event:
// the template's hooks for it, in order, then, for packer_provision, the
// provisioners; as classic Packer ran them.
func (b *Build) eventHooks() map[string][]packer.Hook {
	hooks := make(map[string][]packer.Hook, len(b.hooks)+1)
	for event, hs := range b.hooks {
		hooks[event] = slices.Clone(hs)
	}
	hooks[packer.HookProvision] = append(hooks[packer.HookProvision], &provisionHook{build: b})
	return hooks
}

// Run runs the builder, whose provision hook runs the template's hooks for
// packer_provision and then the provisioners, then each
// post-processor chain, keeping and destroying artifacts as Packer does:
//
//   - each chain starts from the builder's artifact; its first step's
//     "keep" (keep_input_artifact, else the post-processor's own choice)
//     keeps the builder's artifact, and the builder's artifact is destroyed
//     at the end unless some chain's first step kept it;
//   - a later step that keeps its input adds that intermediate artifact to
//     the build's artifacts; one that does not destroys it;
//   - the last artifact of each chain is the build's;
//   - a step that fails, or returns no artifact, ends its chain there: its
//     input is neither listed nor destroyed, and the failure is the build's.
//
// The artifacts are returned in Packer's order: the builder's (when kept),
// then each chain's, intermediate ones before the last.
func (b *Build) Run(ctx context.Context, ui packer.Ui) ([]packer.Artifact, error) {
	artifact, err := b.builder.Run(ctx, ui, &DispatchHook{Hooks: b.eventHooks()})
	if err != nil {
		return nil, fmt.Errorf("build %q: %w", b.name, err)
	}
	if err := ctx.Err(); err != nil {
		// The builder ignored the cancel, or finished as it came: the
		// build was still interrupted, and is not a success. What it made
		// is kept as it is, and said.
		if artifact == nil {
			return nil, fmt.Errorf("build %q: cancelled: %w", b.name, err)
		}
		return []packer.Artifact{artifact}, fmt.Errorf("build %q: cancelled, though its builder returned an artifact after the cancel, left as it is (%s): %w", b.name, artifact.String(), err)
	}
	if artifact == nil {
		return nil, nil
	}
	if len(b.postProcessors) == 0 {
		return []packer.Artifact{artifact}, nil
	}
	// The builder has run: a post-processor is rendered with what it
	// shared, or with nothing when it shared nothing.
	b.shareIfNone()

	var artifacts []packer.Artifact
	keepBuilderArtifact := false
	var errs *multierror.Error
	for _, chain := range b.postProcessors {
		prior, done := artifact, true
		for i, pp := range chain {
			if err := b.reprepare(ui, pp); err != nil {
				errs = multierror.Append(errs, err)
				done = false
				break
			}
			ui.Say(fmt.Sprintf("Running post-processor: %s", describePostProcessor(pp)))
			result, keep, err := b.postProcess(ctx, ui, pp, prior)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err))
				done = false
				break
			}
			if result == nil {
				done = false
				break
			}
			switch {
			case i == 0:
				keepBuilderArtifact = keepBuilderArtifact || keep
			case keep:
				artifacts = append(artifacts, prior)
			default:
				if err := prior.Destroy(); err != nil {
					errs = multierror.Append(errs, fmt.Errorf("build %q: post-processor %s: destroying its input artifact: %w", b.name, pp.name, err))
				}
			}
			prior = result
		}
		if done {
			artifacts = append(artifacts, prior)
		}
	}
	if keepBuilderArtifact {
		artifacts = append([]packer.Artifact{artifact}, artifacts...)
	} else if err := artifact.Destroy(); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("build %q: destroying the builder's artifact: %w", b.name, err))
	}
	return artifacts, errs.ErrorOrNil()
}

func describePostProcessor(pp *buildPostProcessor) string {
	if pp.name != pp.typ {
		return fmt.Sprintf("%s (type %s)", pp.name, pp.typ)
	}
	return pp.typ
}

// reprepare prepares a post-processor again with the data the builder
// shared (see prepareWithBuildData).
func (b *Build) reprepare(ui packer.Ui, pp *buildPostProcessor) error {
	if selfRendering(pp.postProcessor) {
		return nil // prepared once, as in Packer
	}
	if err := b.prepareWithBuildData(ui, pp.raw, "post-processor "+pp.name, pp.postProcessor.Prepare); err != nil {
		return fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err)
	}
	return nil
}

func (b *Build) sharedData() map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buildData
}

// share keeps what the builder passed the provision hook. As in Packer,
// data that is not a map (the file builder passes nil) shares nothing:
// {{build `ID`}} then renders "<no value>", with a warning.
func (b *Build) share(data any) {
	m, ok := data.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buildData = m
}

// shareIfNone records that the builder shared nothing, if it did not run
// the provision hook at all.
func (b *Build) shareIfNone() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buildData == nil {
		b.buildData = map[string]any{}
	}
}
