package core

import (
	"context"
	"log"

	"github.com/packer-classic/packer/packer"
)

// What the core does for components that follow packer-plugin-sdk's
// contract (packer.SelfRendering and the other optional interfaces): as
// Packer does, it passes them their configuration as written, the packer_*
// keys and the placeholder data, prepares them once, gives provisioners
// the build's data with each run, and follows Packer's forceOverride rule.

// selfRendering reports whether component renders its own configuration.
func selfRendering(component any) bool {
	s, ok := component.(packer.SelfRendering)
	return ok && s.RendersOwnConfig()
}

// configFor returns what component is prepared with: raw as written for a
// component that renders it itself, else raw rendered without build data.
func (b *Build) configFor(component any, raw map[string]any, where string) (any, error) {
	if selfRendering(component) {
		return raw, nil
	}
	return b.render(raw, where, nil, nil)
}

// prepareArgs returns what component's Prepare takes after its
// configuration: the packer_* keys, and for a self-rendering provisioner
// or post-processor (withPlaceholders) Packer's placeholder map, with the
// variables the builder declared.
func (b *Build) prepareArgs(component any, withPlaceholders bool) []any {
	if !selfRendering(component) {
		return []any{b.packerConfig()}
	}
	config := b.packerConfig()
	config[packer.CoreVersionConfigKey] = b.ictx.PackerVersion
	config[packer.TemplatePathConfigKey] = b.ictx.TemplatePath
	config[packer.SensitiveVariablesConfigKey] = b.ictx.SensitiveVariables
	if !withPlaceholders {
		return []any{config}
	}
	var generated []string
	if g, ok := b.builder.(packer.GeneratingBuilder); ok {
		generated = g.GeneratedVars()
	}
	return []any{config, packer.PlaceholderData(generated)}
}

// provision runs p's provisioner, with the build's data when it takes it.
func (b *Build) provision(ctx context.Context, p packer.Provisioner, ui packer.Ui, comm packer.Communicator) error {
	if dp, ok := p.(packer.DataProvisioner); ok {
		return dp.ProvisionWithData(ctx, ui, comm, b.sharedData())
	}
	return p.Provision(ctx, ui, comm)
}

// postProcess runs pp on a and returns its result and whether to keep a:
// the template's keep_input_artifact when it says, else the
// post-processor's choice; except that, as in Packer, a post-processor
// that keeps its input and forces it (forceOverride) keeps it against a
// keep_input_artifact of false.
func (b *Build) postProcess(ctx context.Context, ui packer.Ui, pp *buildPostProcessor, a packer.Artifact) (packer.Artifact, bool, error) {
	var result packer.Artifact
	var keep, force bool
	var err error
	if f, ok := pp.postProcessor.(packer.ForcingPostProcessor); ok {
		input := a
		if selfRendering(pp.postProcessor) {
			input = &withBuildData{Artifact: a, data: b.sharedData()}
		}
		result, keep, force, err = f.PostProcessForcing(ctx, ui, input)
	} else {
		result, keep, err = pp.postProcessor.PostProcess(ctx, ui, a)
	}
	if err != nil || result == nil || pp.keepInput == nil {
		return result, keep, err
	}
	if keep && force && !*pp.keepInput {
		log.Printf("build %q: post-processor %s forces keep_input_artifact=true to keep the build chain whole; the template's false is ignored, as in Packer", b.name, pp.name)
		return result, true, nil
	}
	return result, *pp.keepInput, nil
}

// withBuildData is an artifact whose State("generated_data") falls back to
// what the builder shared through the provision hook, as SDK
// post-processors read it from a built-in builder's artifact.
type withBuildData struct {
	packer.Artifact
	data map[string]any
}

func (a *withBuildData) State(name string) any {
	v := a.Artifact.State(name)
	if v == nil && name == "generated_data" && a.data != nil {
		return a.data
	}
	return v
}
