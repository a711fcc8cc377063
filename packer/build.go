package packer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// Build is one build of a template: a builder, the provisioners that run
// inside what it builds, and the post-processor chains that turn its
// artifact into others.
type Build struct {
	name, typ string

	builder       Builder
	builderConfig any

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
}

type buildProvisioner struct {
	typ         string
	provisioner Provisioner
	raw         map[string]any // before interpolation, for the render with build data
	config      any
	pauseBefore time.Duration
	timeout     time.Duration
	maxRetries  int
}

type buildPostProcessor struct {
	name, typ     string
	postProcessor PostProcessor
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

// SetOnError sets -on-error (cleanup or abort).
func (b *Build) SetOnError(mode string) { b.onError = mode }

// packerConfig is what the core passes every component besides its own
// configuration, under the packer_* keys.
func (b *Build) packerConfig() map[string]any {
	return map[string]any{
		BuildNameConfigKey:     b.name,
		BuilderTypeConfigKey:   b.typ,
		DebugConfigKey:         b.debug,
		ForceConfigKey:         b.force,
		OnErrorConfigKey:       b.onError,
		UserVariablesConfigKey: b.variables,
	}
}

// Prepare hands every component its configuration and reports every
// problem at once, each naming the build and the component.
func (b *Build) Prepare() ([]string, error) {
	var errs *multierror.Error
	packerConfig := b.packerConfig()
	warnings, err := b.builder.Prepare(b.builderConfig, packerConfig)
	if err != nil {
		errs = multierror.Append(errs, fmt.Errorf("build %q: builder %s: %w", b.name, b.typ, err))
	}
	for i, p := range b.provisioners {
		if err := p.provisioner.Prepare(p.config, packerConfig); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("build %q: provisioner %d (%s): %w", b.name, i+1, p.typ, err))
		}
	}
	if p := b.errorCleanup; p != nil {
		if err := p.provisioner.Prepare(p.config, packerConfig); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("build %q: error-cleanup-provisioner (%s): %w", b.name, p.typ, err))
		}
	}
	for _, chain := range b.postProcessors {
		for _, pp := range chain {
			if err := pp.postProcessor.Prepare(pp.config, packerConfig); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err))
			}
		}
	}
	return warnings, errs.ErrorOrNil()
}

// Run runs the builder, whose provision hook runs the provisioners, then each
// post-processor chain. It returns the artifacts the build leaves: the
// builder's (unless every chain consumed it) and the last of each chain.
func (b *Build) Run(ctx context.Context, ui Ui) ([]Artifact, error) {
	hook := &DispatchHook{Hooks: map[string][]Hook{HookProvision: {&provisionHook{build: b}}}}
	artifact, err := b.builder.Run(ctx, ui, hook)
	if err != nil {
		return nil, fmt.Errorf("build %q: %w", b.name, err)
	}
	if artifact == nil {
		return nil, nil
	}
	if len(b.postProcessors) == 0 {
		return []Artifact{artifact}, nil
	}

	var artifacts []Artifact
	keepBuilderArtifact := false
	var errs *multierror.Error
	for _, chain := range b.postProcessors {
		current := artifact
		for i, pp := range chain {
			if err := b.reprepare(pp); err != nil {
				errs = multierror.Append(errs, err)
				current = nil
				break
			}
			ui.Say(fmt.Sprintf("Running post-processor: %s", describePostProcessor(pp)))
			result, keep, err := pp.postProcessor.PostProcess(ctx, ui, current)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err))
				current = nil
				break
			}
			if pp.keepInput != nil {
				keep = *pp.keepInput
			}
			if i == 0 {
				keepBuilderArtifact = keepBuilderArtifact || keep || result == nil
			} else if !keep && current != nil && result != current {
				if err := current.Destroy(); err != nil {
					ui.Error(fmt.Sprintf("Destroying an intermediate artifact: %v", err))
				}
			}
			if result == nil {
				break
			}
			current = result
		}
		if current != nil && current != artifact {
			artifacts = append(artifacts, current)
		}
	}
	if keepBuilderArtifact {
		artifacts = append([]Artifact{artifact}, artifacts...)
	} else if err := artifact.Destroy(); err != nil {
		ui.Error(fmt.Sprintf("Destroying the builder's artifact: %v", err))
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
func (b *Build) reprepare(pp *buildPostProcessor) error {
	if err := b.prepareWithBuildData(pp.raw, pp.postProcessor.Prepare); err != nil {
		return fmt.Errorf("build %q: post-processor %s: %w", b.name, pp.name, err)
	}
	return nil
}

func (b *Build) withBuildData(data map[string]any) *interpolate.Context {
	ctx := *b.ictx
	ctx.BuildData = data
	return &ctx
}

func (b *Build) sharedData() map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buildData
}

func (b *Build) share(data any) {
	m, ok := data.(map[string]any)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buildData = m
}

// DispatchHook runs, for each hook name, the hooks registered under it, in
// order.
type DispatchHook struct {
	Hooks map[string][]Hook
}

// Run runs the hooks registered under name, stopping at the first error or
// when ctx is cancelled.
func (h *DispatchHook) Run(ctx context.Context, name string, ui Ui, comm Communicator, data any) error {
	for _, hook := range h.Hooks[name] {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := hook.Run(ctx, name, ui, comm, data); err != nil {
			return err
		}
	}
	return nil
}

// provisionHook runs a build's provisioners when its builder runs the
// packer_provision hook.
type provisionHook struct {
	build *Build
}

func (h *provisionHook) Run(ctx context.Context, name string, ui Ui, comm Communicator, data any) error {
	b := h.build
	b.share(data)
	for i, p := range b.provisioners {
		if p.pauseBefore > 0 {
			ui.Say(fmt.Sprintf("Pausing %s before the next provisioner...", p.pauseBefore))
			timer := time.NewTimer(p.pauseBefore)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			}
		}
		if err := b.prepareWithBuildData(p.raw, p.provisioner.Prepare); err != nil {
			return fmt.Errorf("provisioner %d (%s): %w", i+1, p.typ, err)
		}
		ui.Say(fmt.Sprintf("Provisioning with %s...", p.typ))
		if err := p.run(ctx, ui, comm); err != nil {
			h.cleanUpAfterError(ctx, ui, comm)
			return fmt.Errorf("provisioner %s: %w", p.typ, err)
		}
	}
	return nil
}

// cleanUpAfterError runs the template's error-cleanup-provisioner, if it has
// one, after a provisioner failed; its own failure is reported and does not
// replace the error that caused it. A cancelled build skips it.
func (h *provisionHook) cleanUpAfterError(ctx context.Context, ui Ui, comm Communicator) {
	p := h.build.errorCleanup
	if p == nil || ctx.Err() != nil {
		return
	}
	if err := h.build.prepareWithBuildData(p.raw, p.provisioner.Prepare); err != nil {
		ui.Error(fmt.Sprintf("The error-cleanup-provisioner (%s) cannot run: %v", p.typ, err))
		return
	}
	ui.Say(fmt.Sprintf("Provisioning failed: running the error-cleanup-provisioner (%s)...", p.typ))
	if err := p.run(ctx, ui, comm); err != nil {
		ui.Error(fmt.Sprintf("The error-cleanup-provisioner (%s) failed too: %v", p.typ, err))
	}
}

// prepareWithBuildData calls prepare, a component's Prepare, again with raw,
// its configuration, rendered with what the builder shared through the
// provision hook, when it shared anything; until then the component keeps
// the configuration Build.Prepare gave it.
func (b *Build) prepareWithBuildData(raw map[string]any, prepare func(...any) error) error {
	data := b.sharedData()
	if data == nil {
		return nil
	}
	rendered, err := interpolate.RenderInterface(raw, b.withBuildData(data))
	if err != nil {
		return err
	}
	return prepare(rendered, b.packerConfig())
}

// run provisions with the provisioner's timeout, retrying up to max_retries
// times.
func (p *buildProvisioner) run(ctx context.Context, ui Ui, comm Communicator) error {
	var err error
	for attempt := 0; attempt <= p.maxRetries; attempt++ {
		if attempt > 0 {
			ui.Error(fmt.Sprintf("Provisioner %s failed (%v); retrying, attempt %d of %d", p.typ, err, attempt, p.maxRetries))
		}
		err = p.once(ctx, ui, comm)
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (p *buildProvisioner) once(ctx context.Context, ui Ui, comm Communicator) error {
	if p.timeout <= 0 {
		return p.provisioner.Provision(ctx, ui, comm)
	}
	tctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err := p.provisioner.Provision(tctx, ui, comm)
	if err != nil && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s (the provisioner's \"timeout\"): %w", p.timeout, err)
	}
	return err
}
