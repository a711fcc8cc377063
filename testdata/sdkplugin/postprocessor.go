package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// PostProcessorConfig is the probe post-processor's configuration.
type PostProcessorConfig struct {
	common.PackerConfig `mapstructure:",squash"`
	// Output is the file written, describing the input artifact.
	Output        string `mapstructure:"output"`
	Keep          bool   `mapstructure:"keep"`
	ForceOverride bool   `mapstructure:"force_override"`
	WaitForCancel bool   `mapstructure:"wait_for_cancel"`
	Die           bool   `mapstructure:"die"`

	ctx interpolate.Context
}

// PostProcessor is the probe post-processor.
type PostProcessor struct{ config PostProcessorConfig }

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return hcldec.ObjectSpec{} }

func (p *PostProcessor) Configure(raws ...interface{}) error {
	return config.Decode(&p.config, &config.DecodeOpts{Interpolate: true, InterpolateContext: &p.config.ctx}, raws...)
}

func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	var data []string
	if m, ok := in.State("generated_data").(map[interface{}]interface{}); ok {
		for k, v := range m {
			data = append(data, fmt.Sprintf("%v=%v", k, v))
		}
	} else if m, ok := in.State("generated_data").(map[string]interface{}); ok {
		for k, v := range m {
			data = append(data, fmt.Sprintf("%v=%v", k, v))
		}
	}
	sort.Strings(data)
	summary := fmt.Sprintf("input id=%s builder=%s files=%v string=%q data=%s",
		in.Id(), in.BuilderId(), in.Files(), in.String(), strings.Join(data, ","))
	ui.Say("pp: " + summary)
	if p.config.Die {
		ui.Say("pp: dying")
		os.Exit(6)
	}
	if p.config.WaitForCancel {
		ui.Say("pp: waiting for cancel")
		<-ctx.Done()
		ui.Say("pp: cancelled")
		return nil, false, false, ctx.Err()
	}
	out := &Artifact{id: "pp-1", builderID: "fixture.pp"}
	if p.config.Output != "" {
		if err := os.WriteFile(p.config.Output, []byte(summary+"\n"), 0o644); err != nil {
			return nil, false, false, err
		}
		out.files = []string{p.config.Output}
	}
	return out, p.config.Keep, p.config.ForceOverride, nil
}
