package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// BuilderConfig is the local builder's configuration.
type BuilderConfig struct {
	common.PackerConfig `mapstructure:",squash"`
	// Message is said first; the plugin renders its {{user}} and
	// {{build_name}} itself.
	Message string `mapstructure:"message"`
	// OutputDir, when set, receives the artifact's file.
	OutputDir string `mapstructure:"output_dir"`
	// WaitForCancel makes Run wait for its context to end.
	WaitForCancel bool `mapstructure:"wait_for_cancel"`
	// DieInRun makes the process exit in the middle of Run.
	DieInRun bool `mapstructure:"die_in_run"`

	ctx interpolate.Context
}

// Builder is the local builder.
type Builder struct{ config BuilderConfig }

func (b *Builder) ConfigSpec() hcldec.ObjectSpec { return hcldec.ObjectSpec{} }

func (b *Builder) Prepare(raws ...interface{}) ([]string, []string, error) {
	err := config.Decode(&b.config, &config.DecodeOpts{Interpolate: true, InterpolateContext: &b.config.ctx}, raws...)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	if b.config.Message == "" {
		warnings = append(warnings, "fixture builder: no message")
	}
	return []string{"FixtureVar"}, warnings, nil
}

func (b *Builder) Run(ctx context.Context, ui packersdk.Ui, hook packersdk.Hook) (packersdk.Artifact, error) {
	ui.Say("fixture builder: " + b.config.Message)
	if b.config.DieInRun {
		ui.Say("fixture builder: dying")
		os.Exit(7)
	}
	if b.config.WaitForCancel {
		ui.Say("fixture builder: waiting for cancel")
		<-ctx.Done()
		ui.Say("fixture builder: cancelled")
		return nil, ctx.Err()
	}
	data := map[string]interface{}{
		"ID":            "fixture-1",
		"FixtureVar":    "fv",
		"ConnType":      "local",
		"Host":          "127.0.0.1",
		"Port":          0,
		"PackerRunUUID": os.Getenv("PACKER_RUN_UUID"),
	}
	if err := hook.Run(ctx, packersdk.HookProvision, ui, &localComm{}, data); err != nil {
		return nil, err
	}
	art := &Artifact{id: "fixture-1", builderID: "fixture.local", data: data}
	if b.config.OutputDir != "" {
		if err := os.MkdirAll(b.config.OutputDir, 0o755); err != nil {
			return nil, err
		}
		file := filepath.Join(b.config.OutputDir, "fixture-artifact.txt")
		if err := os.WriteFile(file, []byte("built by "+b.config.PackerBuildName+"\n"), 0o644); err != nil {
			return nil, err
		}
		art.files = []string{file}
	}
	return art, nil
}

// Artifact is what the local builder and the probe post-processor return.
type Artifact struct {
	id, builderID string
	files         []string
	data          map[string]interface{}
}

func (a *Artifact) BuilderId() string { return a.builderID }
func (a *Artifact) Files() []string   { return a.files }
func (a *Artifact) Id() string        { return a.id }
func (a *Artifact) String() string {
	return fmt.Sprintf("fixture artifact %s (%d files)", a.id, len(a.files))
}
func (a *Artifact) State(name string) interface{} {
	if name == "generated_data" {
		return a.data
	}
	return nil
}
func (a *Artifact) Destroy() error {
	for _, f := range a.files {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
