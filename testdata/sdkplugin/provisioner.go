package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// ProvisionerConfig is the probe provisioner's configuration.
type ProvisionerConfig struct {
	common.PackerConfig `mapstructure:",squash"`
	// Text is said at Provision time, rendered then with the build's
	// generated data ({{build `ID`}}).
	Text string `mapstructure:"text"`
	// Dir is where, on the machine, the probe puts its files; it must
	// exist.
	Dir string `mapstructure:"dir"`
	// Exchange runs the communicator exchange (upload, command with
	// stdin, stdout, stderr and an exit status, download, directories).
	Exchange bool `mapstructure:"exchange"`
	// WaitForCancel makes Provision wait for its context to end.
	WaitForCancel bool `mapstructure:"wait_for_cancel"`
	// Die makes the process exit in the middle of Provision.
	Die bool `mapstructure:"die"`
	// IgnoreCancel makes Provision hang, deaf to its context.
	IgnoreCancel bool `mapstructure:"ignore_cancel"`

	ctx interpolate.Context
}

// Provisioner is the probe provisioner.
type Provisioner struct{ config ProvisionerConfig }

func (p *Provisioner) ConfigSpec() hcldec.ObjectSpec { return hcldec.ObjectSpec{} }

func (p *Provisioner) Prepare(raws ...interface{}) error {
	return config.Decode(&p.config, &config.DecodeOpts{
		Interpolate:        true,
		InterpolateContext: &p.config.ctx,
		InterpolateFilter:  &interpolate.RenderFilter{Exclude: []string{"text"}},
	}, raws...)
}

func (p *Provisioner) Provision(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, generated map[string]interface{}) error {
	p.config.ctx.Data = generated
	text, err := interpolate.Render(p.config.Text, &p.config.ctx)
	if err != nil {
		return fmt.Errorf("rendering text: %s", err)
	}
	ui.Say("probe: " + text)
	if p.config.Die {
		ui.Say("probe: dying")
		os.Exit(5)
	}
	if p.config.IgnoreCancel {
		ui.Say("probe: ignoring cancel")
		time.Sleep(time.Hour)
	}
	if p.config.WaitForCancel {
		ui.Say("probe: waiting for cancel")
		<-ctx.Done()
		ui.Say("probe: cancelled")
		return ctx.Err()
	}
	if p.config.Exchange {
		return p.exchange(ctx, ui, comm)
	}
	return nil
}

// exchange uses every method of the communicator and reports what came
// back through the Ui.
func (p *Provisioner) exchange(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator) error {
	dir := p.config.Dir
	file := filepath.Join(dir, "probe.txt")
	local, err := os.CreateTemp("", "probe")
	if err != nil {
		return err
	}
	defer os.Remove(local.Name())
	local.WriteString("uploaded\n")
	local.Close()
	fi, err := os.Stat(local.Name())
	if err != nil {
		return err
	}
	src, err := os.Open(local.Name())
	if err != nil {
		return err
	}
	tracked := ui.TrackProgress("probe.txt", 0, fi.Size(), src)
	err = comm.Upload(file, tracked, &fi)
	tracked.Close()
	if err != nil {
		return fmt.Errorf("upload: %s", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := &packersdk.RemoteCmd{
		Command: "cat; cat " + file + "; echo to-stderr >&2; exit 3",
		Stdin:   strings.NewReader("from-stdin\n"),
		Stdout:  &stdout,
		Stderr:  &stderr,
	}
	if err := comm.Start(ctx, cmd); err != nil {
		return fmt.Errorf("start: %s", err)
	}
	status := cmd.Wait()
	ui.Say(fmt.Sprintf("probe: exit=%d stdout=%q stderr=%q", status, stdout.String(), stderr.String()))
	var down bytes.Buffer
	if err := comm.Download(file, &down); err != nil {
		return fmt.Errorf("download: %s", err)
	}
	ui.Say(fmt.Sprintf("probe: downloaded %q", down.String()))
	tree, err := os.MkdirTemp("", "probe-tree")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	os.WriteFile(filepath.Join(tree, "a.txt"), []byte("a"), 0o644)
	if err := comm.UploadDir(dir, tree+"/", nil); err != nil {
		return fmt.Errorf("upload dir: %s", err)
	}
	back := filepath.Join(tree, "back")
	if err := comm.DownloadDir(dir+"/", back, nil); err != nil {
		return fmt.Errorf("download dir: %s", err)
	}
	got, err := os.ReadFile(filepath.Join(back, "a.txt"))
	if err != nil {
		return fmt.Errorf("download dir: %s", err)
	}
	ui.Say(fmt.Sprintf("probe: round trip %q", got))
	ui.Machine("probe", "done")
	if err := comm.Download(filepath.Join(dir, "missing"), io.Discard); err == nil {
		return fmt.Errorf("downloading a missing file succeeded")
	} else {
		ui.Error("probe: missing file: " + err.Error())
	}
	return nil
}
