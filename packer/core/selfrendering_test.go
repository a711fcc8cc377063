package core

import (
	"context"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/template"
)

// The core's side of packer-plugin-sdk's contract, with components that
// record what they get (the real SDK plugins are in the e2e tests).

type selfRenderingBuilder struct {
	prepared [][]any
}

func (b *selfRenderingBuilder) RendersOwnConfig() bool  { return true }
func (b *selfRenderingBuilder) GeneratedVars() []string { return []string{"MyVar"} }
func (b *selfRenderingBuilder) Prepare(raws ...any) ([]string, error) {
	b.prepared = append(b.prepared, raws)
	return nil, nil
}

func (b *selfRenderingBuilder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	if err := hook.Run(ctx, packer.HookProvision, ui, nil, map[string]any{"ID": "sdk-1", "MyVar": "mine"}); err != nil {
		return nil, err
	}
	return &testArtifact{id: "sdk-1"}, nil
}

type selfRenderingProvisioner struct {
	prepared [][]any
	data     map[string]any
}

func (p *selfRenderingProvisioner) RendersOwnConfig() bool { return true }
func (p *selfRenderingProvisioner) Prepare(raws ...any) error {
	p.prepared = append(p.prepared, raws)
	return nil
}
func (p *selfRenderingProvisioner) Provision(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
	panic("the core must call ProvisionWithData")
}
func (p *selfRenderingProvisioner) ProvisionWithData(ctx context.Context, ui packer.Ui, comm packer.Communicator, data map[string]any) error {
	p.data = data
	return nil
}

type forcingPostProcessor struct {
	prepared    [][]any
	keep, force bool
	input       packer.Artifact
}

func (p *forcingPostProcessor) RendersOwnConfig() bool { return true }
func (p *forcingPostProcessor) Prepare(raws ...any) error {
	p.prepared = append(p.prepared, raws)
	return nil
}
func (p *forcingPostProcessor) PostProcess(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
	panic("the core must call PostProcessForcing")
}
func (p *forcingPostProcessor) PostProcessForcing(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, bool, error) {
	p.input = a
	return &testArtifact{id: "pp"}, p.keep, p.force, nil
}

func sdkBuild(t *testing.T, keepInput string, pp *forcingPostProcessor) (*selfRenderingBuilder, *selfRenderingProvisioner, []packer.Artifact) {
	t.Helper()
	tpl, err := template.Parse(strings.NewReader(`{
		"variables": {"who": "you"},
		"builders": [{"type": "sdk", "message": "{{user ` + "`who`" + `}}"}],
		"provisioners": [{"type": "sdk", "text": "{{build ` + "`MyVar`" + `}}"}],
		"post-processors": [{"type": "sdk", "keep_input_artifact": ` + keepInput + `}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	b, p := &selfRenderingBuilder{}, &selfRenderingProvisioner{}
	core, err := NewCore(&CoreConfig{Template: tpl, Version: "9.9.9", Components: ComponentFinder{
		Builder:       func(string) (packer.Builder, error) { return b, nil },
		Provisioner:   func(string) (packer.Provisioner, error) { return p, nil },
		PostProcessor: func(string) (packer.PostProcessor, error) { return pp, nil },
	}})
	if err != nil {
		t.Fatal(err)
	}
	build, err := core.Build("sdk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := build.Prepare(); err != nil {
		t.Fatal(err)
	}
	artifacts, err := build.Run(context.Background(), discardUi{})
	if err != nil {
		t.Fatal(err)
	}
	return b, p, artifacts
}

func TestBuild_selfRenderingComponentsGetTheirConfigAsWrittenOnceWithPackersData(t *testing.T) {
	pp := &forcingPostProcessor{}
	b, p, _ := sdkBuild(t, "true", pp)
	if len(b.prepared) != 1 || len(p.prepared) != 1 || len(pp.prepared) != 1 {
		t.Fatalf("prepared %d, %d, %d times; want each once, as Packer does", len(b.prepared), len(p.prepared), len(pp.prepared))
	}
	if got := b.prepared[0][0].(map[string]any)["message"]; got != "{{user `who`}}" {
		t.Errorf("the builder got message %q, want it as written: it renders it itself", got)
	}
	keys := b.prepared[0][1].(map[string]any)
	if keys[packer.CoreVersionConfigKey] != "9.9.9" || keys[packer.UserVariablesConfigKey].(map[string]string)["who"] != "you" {
		t.Errorf("the builder's packer_* keys: %v", keys)
	}
	if len(b.prepared[0]) != 2 {
		t.Errorf("the builder got %d raws, want its config and the packer_* keys", len(b.prepared[0]))
	}
	for what, raws := range map[string][]any{"provisioner": p.prepared[0], "post-processor": pp.prepared[0]} {
		if len(raws) != 3 {
			t.Fatalf("the %s got %d raws, want config, packer_* keys and placeholders", what, len(raws))
		}
		placeholders := raws[2].(map[string]any)
		if !strings.HasPrefix(placeholders["MyVar"].(string), "Build_MyVar. ") || !strings.HasPrefix(placeholders["PackerRunUUID"].(string), "Build_PackerRunUUID. ") || placeholders["WinRMPassword"] != "{{.WinRMPassword}}" {
			t.Errorf("the %s's placeholder data: %v", what, placeholders)
		}
	}
	if p.prepared[0][0].(map[string]any)["text"] != "{{build `MyVar`}}" {
		t.Errorf("the provisioner's config was rendered: %v", p.prepared[0][0])
	}
	if p.data["MyVar"] != "mine" {
		t.Errorf("the provisioner ran with data %v, want the builder's", p.data)
	}
	// A builder's artifact without generated_data answers with the build's.
	if gd, _ := pp.input.State("generated_data").(map[string]any); gd["ID"] != "sdk-1" {
		t.Errorf("generated_data of the post-processor's input: %v", pp.input.State("generated_data"))
	}
}

func TestBuild_forceOverrideKeepsTheInputAgainstKeepInputArtifactFalse(t *testing.T) {
	for _, c := range []struct {
		keepInput         string
		keep, force, kept bool
	}{
		{"false", true, true, true},   // Packer's exception
		{"false", true, false, false}, // the template decides
		{"true", false, true, true},
		{"false", false, true, false}, // forcing without keeping forces nothing
	} {
		_, _, artifacts := sdkBuild(t, c.keepInput, &forcingPostProcessor{keep: c.keep, force: c.force})
		kept := len(artifacts) == 2 && artifacts[0].Id() == "sdk-1"
		if kept != c.kept {
			t.Errorf("keep_input_artifact %s, keep %v, force %v: artifacts %v, want the input kept: %v", c.keepInput, c.keep, c.force, artifacts, c.kept)
		}
	}
}
