// Package command holds the packer subcommands users type: build, validate,
// inspect, version, plugins, init, each in the file of its name. Each is a
// packer.Command, the same interface a packer-command-NAME plugin serves, so
// main runs built-in and plugin commands alike. The commands run in the
// packer process; the components a template uses run as plugin processes,
// made by package plugin/loader.
package command

import (
	"io"
	"log"
	"sync"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/core"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/plugin/loader"
)

// Meta is what every command needs from main: where its output goes, how to
// find and start plugins, and where the log goes. main builds one per run.
type Meta struct {
	// Stdout and Stderr are the process's streams. Commands write their
	// results through the Ui they are given; these are for the per-build
	// Uis a build makes, which need the raw writers.
	Stdout, Stderr io.Writer
	// StdoutIsTerminal turns coloured output on by default.
	StdoutIsTerminal bool
	// Stdin answers questions a build asks (-debug pauses, breakpoints).
	// Nil when standard input is not a terminal: a question is then an
	// error, never a hang.
	Stdin io.Reader
	// Discovery finds plugins by kind and name.
	Discovery plugin.Discovery
	// Supervisor tracks every plugin process a command starts, so main
	// can kill them all on any exit path.
	Supervisor *plugin.Supervisor
	// MinPort and MaxPort bound plugin ports (from the config file); zero
	// leaves the choice to the environment and the defaults.
	MinPort, MaxPort int
	// Logger receives diagnostics and every plugin's stderr. Never nil:
	// main discards it unless PACKER_LOG or PACKER_LOG_PATH is set.
	Logger *log.Logger

	loaderOnce sync.Once
	loader     *loader.Loader
}

// component makes a fresh component of kind and name through the run's
// loader, which decides what process serves it.
func (m *Meta) component(kind packer.Kind, name string) (any, error) {
	m.loaderOnce.Do(func() {
		m.loader = loader.New(loader.Config{
			Discovery: &m.Discovery, Supervisor: m.Supervisor,
			MinPort: m.MinPort, MaxPort: m.MaxPort, Logger: m.Logger,
		})
	})
	return m.loader.Component(kind, name)
}

// ComponentFinder gives the core this Meta's way of making components:
// each one fresh, found by discovery, served by a plugin process the
// supervisor tracks.
func (m *Meta) ComponentFinder() core.ComponentFinder {
	return core.ComponentFinder{
		Builder:       m.Builder,
		Provisioner:   m.Provisioner,
		PostProcessor: m.PostProcessor,
		Hook:          m.Hook,
	}
}

// Builder makes a fresh builder of this type: a process of its own for an
// external plugin, a fresh instance in the shared built-ins process for a
// built-in. Either way builds in parallel never share a component.
func (m *Meta) Builder(typ string) (packer.Builder, error) {
	c, err := m.component(packer.KindBuilder, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.Builder), nil
}

// Provisioner makes a fresh provisioner of this type (see Builder).
func (m *Meta) Provisioner(typ string) (packer.Provisioner, error) {
	c, err := m.component(packer.KindProvisioner, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.Provisioner), nil
}

// PostProcessor makes a fresh post-processor of this type (see Builder).
func (m *Meta) PostProcessor(typ string) (packer.PostProcessor, error) {
	c, err := m.component(packer.KindPostProcessor, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.PostProcessor), nil
}

// Hook makes a hook of this name (see Builder).
func (m *Meta) Hook(name string) (packer.Hook, error) {
	c, err := m.component(packer.KindHook, name)
	if err != nil {
		return nil, err
	}
	return c.(packer.Hook), nil
}

// Command starts a packer-command-NAME plugin: how `packer NAME` runs a
// command packer does not have built in.
func (m *Meta) Command(name string) (packer.Command, error) {
	c, err := m.component(packer.KindCommand, name)
	if err != nil {
		return nil, err
	}
	return c.(packer.Command), nil
}
