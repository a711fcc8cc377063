package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/packer-classic/packer/packer"
)

// The provision hook: how a build runs its provisioners when its builder
// reaches the machine.

type buildProvisioner struct {
	typ         string
	where       string // "provisioner 2 (shell-local)", for messages
	provisioner packer.Provisioner
	raw         map[string]any // before interpolation, for the render with build data
	config      any
	pauseBefore time.Duration
	timeout     time.Duration
	maxRetries  int
}

// DispatchHook runs, for each hook name, the hooks registered under it, in
// order.
type DispatchHook struct {
	Hooks map[string][]packer.Hook
}

// Run runs the hooks registered under name, stopping at the first error or
// when ctx is cancelled.
func (h *DispatchHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
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

func (h *provisionHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	b := h.build
	b.share(data)
	for _, p := range b.provisioners {
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
		if err := b.reprepareProvisioner(ui, p); err != nil {
			return fmt.Errorf("%s: %w", p.where, err)
		}
		if b.debug {
			if err := pauseForDebug(ctx, ui); err != nil {
				return err
			}
		}
		ui.Say(fmt.Sprintf("Provisioning with %s...", p.typ))
		if err := p.run(ctx, b, ui, comm); err != nil {
			h.cleanUpAfterError(ctx, ui, comm)
			return fmt.Errorf("provisioner %s: %w", p.typ, err)
		}
	}
	return nil
}

// cleanUpAfterError runs the template's error-cleanup-provisioner, if it has
// one, after a provisioner failed; its own failure is reported and does not
// replace the error that caused it. A cancelled build skips it, and so does
// -on-error=abort, as in Packer (abort cleans up nothing; cleanup and
// run-cleanup-provisioner run it).
func (h *provisionHook) cleanUpAfterError(ctx context.Context, ui packer.Ui, comm packer.Communicator) {
	p := h.build.errorCleanup
	if p == nil || ctx.Err() != nil {
		return
	}
	if h.build.onError == OnErrorAbort {
		ui.Say(fmt.Sprintf("-on-error=abort: not running the error-cleanup-provisioner (%s)", p.typ))
		return
	}
	if err := h.build.reprepareProvisioner(ui, p); err != nil {
		ui.Error(fmt.Sprintf("The error-cleanup-provisioner (%s) cannot run: %v", p.typ, err))
		return
	}
	ui.Say(fmt.Sprintf("Provisioning failed: running the error-cleanup-provisioner (%s)...", p.typ))
	if err := p.run(ctx, h.build, ui, comm); err != nil {
		ui.Error(fmt.Sprintf("The error-cleanup-provisioner (%s) failed too: %v", p.typ, err))
	}
}

// reprepareProvisioner prepares p again with the build's data, unless it
// renders its own configuration (prepared once, as in Packer).
func (b *Build) reprepareProvisioner(ui packer.Ui, p *buildProvisioner) error {
	if selfRendering(p.provisioner) {
		return nil
	}
	return b.prepareWithBuildData(ui, p.raw, p.where, p.provisioner.Prepare)
}

// prepareWithBuildData calls prepare, a component's Prepare, again with raw,
// the configuration of the component where, rendered with what the builder
// shared through the provision hook (nothing, when it passed no map), once
// the builder has run the hook; until then the component keeps the
// configuration Build.Prepare gave it. Rendering warnings go to ui.
func (b *Build) prepareWithBuildData(ui packer.Ui, raw map[string]any, where string, prepare func(...any) error) error {
	data := b.sharedData()
	if data == nil {
		return nil
	}
	rendered, err := b.render(raw, where, data, ui)
	if err != nil {
		return err
	}
	return prepare(rendered, b.packerConfig())
}

// debugPause is what -debug asks before each provisioner, as Packer does.
const debugPause = "Pausing before the next provisioner. Press enter to continue."

// pauseForDebug waits, under -debug, for the user to press enter. Without a
// terminal to ask on it says so and goes on at once, never hanging; a
// cancelled build stops waiting.
func pauseForDebug(ctx context.Context, ui packer.Ui) error {
	answered := make(chan error, 1)
	go func() {
		_, err := ui.Ask(debugPause)
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			ui.Say(fmt.Sprintf("-debug: cannot pause (%v); going on", err))
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run provisions with the provisioner's timeout, retrying up to max_retries
// times.
func (p *buildProvisioner) run(ctx context.Context, b *Build, ui packer.Ui, comm packer.Communicator) error {
	var err error
	for attempt := 0; attempt <= p.maxRetries; attempt++ {
		if attempt > 0 {
			ui.Error(fmt.Sprintf("Provisioner %s failed (%v); retrying, attempt %d of %d", p.typ, err, attempt, p.maxRetries))
		}
		err = p.once(ctx, b, ui, comm)
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (p *buildProvisioner) once(ctx context.Context, b *Build, ui packer.Ui, comm packer.Communicator) error {
	if p.timeout <= 0 {
		return b.provision(ctx, p.provisioner, ui, comm)
	}
	tctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err := b.provision(tctx, p.provisioner, ui, comm)
	if ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		// Past its timeout the provisioner failed, whatever it returned:
		// one that ignores its context may still report success.
		if err == nil {
			return fmt.Errorf("timed out after %s (the provisioner's \"timeout\"), and returned only after that, ignoring its cancellation", p.timeout)
		}
		return fmt.Errorf("timed out after %s (the provisioner's \"timeout\"): %w", p.timeout, err)
	}
	return err
}
