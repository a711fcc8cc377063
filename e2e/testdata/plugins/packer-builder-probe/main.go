// Command packer-builder-probe is a builder plugin the end-to-end tests
// build and point packer at (by config file, on PATH). Its "mode" decides
// what a build does, so real plugin processes succeed, fail and wait for a
// Ctrl-C on demand:
//
//	ok   (default) says its pid and returns an artifact named after the
//	     build (and its "label", if set)
//	fail returns an error naming the build
//	wait says its pid, blocks until the build is cancelled, then cleans up
//	barrier writes a file named after the build into barrier_dir and waits
//	        until barrier_count files are there: only builds that run at
//	        the same time get past it; after 30s it fails, so a test
//	        whose other build never came fails instead of hanging
//	child   starts `sleep 1000` as a plain child of the plugin, says its
//	        pid, and waits until the build is cancelled
//	naive-comm provisions through naiveCommunicator (see comm.go), a
//	        communicator written the way a hurried plugin author might
//	late    says its pid, waits until the build is cancelled, then returns
//	        an artifact anyway, as a builder that ignores the cancel does
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

type config struct {
	packer.PackerConfig `mapstructure:",squash"`
	Mode                string `mapstructure:"mode"`
	Label               string `mapstructure:"label"`
	BarrierDir          string `mapstructure:"barrier_dir"`
	BarrierCount        int    `mapstructure:"barrier_count"`
}

type builder struct {
	config config
}

func (b *builder) Prepare(raws ...any) ([]string, error) {
	if err := packer.DecodeConfig(&b.config, raws...); err != nil {
		return nil, err
	}
	switch b.config.Mode {
	case "", "ok", "fail", "wait", "barrier", "child", "naive-comm", "late":
		return nil, nil
	}
	return nil, fmt.Errorf("mode %q: use ok, fail, wait, barrier, child, naive-comm or late", b.config.Mode)
}

func (b *builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
	name := b.config.PackerBuildName
	ui.Say(fmt.Sprintf("probe building %s in pid %d", name, os.Getpid()))
	switch b.config.Mode {
	case "fail":
		return nil, errors.New("probe asked to fail in build " + name)
	case "late":
		<-ctx.Done()
		ui.Say("probe returns an artifact after the cancel")
	case "wait":
		<-ctx.Done()
		ui.Say("probe cleaned up " + name)
		return nil, ctx.Err()
	case "child":
		child := exec.Command("sleep", "1000")
		if err := child.Start(); err != nil {
			return nil, err
		}
		ui.Say(fmt.Sprintf("probe started a child in pid %d", child.Process.Pid))
		<-ctx.Done()
		return nil, ctx.Err()
	case "naive-comm":
		if err := hook.Run(ctx, packer.HookProvision, ui, naiveCommunicator{}, nil); err != nil {
			return nil, err
		}
	case "barrier":
		if err := barrier(ctx, b.config.BarrierDir, name, b.config.BarrierCount); err != nil {
			return nil, err
		}
		ui.Say("probe passed the barrier in " + name)
	}
	id := "probe-" + name
	if b.config.Label != "" {
		id += "-" + b.config.Label
	}
	return artifact{id: id}, nil
}

// barrier announces this build in dir and waits for count builds there.
// It polls: the builds are separate processes with nothing else in common.
func barrier(ctx context.Context, dir, name string, count int) error {
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		return err
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= count {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("barrier: only %d of %d builds arrived in %s within 30s; they did not run at the same time", len(entries), count, dir)
		case <-tick.C:
		}
	}
}

type artifact struct{ id string }

func (a artifact) BuilderId() string { return "test.probe" }
func (a artifact) Files() []string   { return nil }
func (a artifact) Id() string        { return a.id }
func (a artifact) String() string    { return "probe artifact " + a.id }
func (a artifact) State(string) any  { return nil }
func (a artifact) Destroy() error    { return nil }

func main() { plugin.ServeBuilder(new(builder)) }
