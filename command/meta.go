// Package command holds the packer subcommands users type: build, validate,
// inspect, version, plugins. Each is a packer.Command, the same interface a
// packer-command-NAME plugin serves, so main runs built-in and plugin
// commands alike. The commands run in the packer process; the components a
// template uses run as plugin processes that Meta finds and starts.
package command

import (
	"context"
	"fmt"
	"io"
	"log"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/plugin/jsonstdio"
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

	// builtins is the one process that serves every built-in component of
	// this run, started on first use.
	builtinsOnce   sync.Once
	builtinsClient *plugin.Client
	builtinsErr    error

	// multi holds one process per multi-component plugin binary
	// (packer-plugin-NAME) this run uses, by path.
	multiMu sync.Mutex
	multi   map[string]*sharedPlugin
}

// sharedPlugin is one process serving every instance of the components of a
// multi-component plugin, with what its describe said.
type sharedPlugin struct {
	once   sync.Once
	client *plugin.Client
	desc   plugin.Description
	err    error
}

// multiComponent dispenses a component of a packer-plugin-NAME binary,
// starting its one process on first use after checking, with describe, that
// it speaks this packer's protocol and has the component.
func (m *Meta) multiComponent(found plugin.Found) (any, error) {
	m.multiMu.Lock()
	if m.multi == nil {
		m.multi = map[string]*sharedPlugin{}
	}
	shared := m.multi[found.Path]
	if shared == nil {
		shared = &sharedPlugin{}
		m.multi[found.Path] = shared
	}
	m.multiMu.Unlock()
	binary := filepath.Base(found.Path)
	shared.once.Do(func() {
		// Components are made without a context; the describe is bounded
		// by its timeout, and by the supervisor on an interrupt.
		if shared.desc, shared.err = m.Supervisor.Describe(context.Background(), found.Path, m.Logger); shared.err != nil {
			return
		}
		if shared.desc.Protocol == jsonstdio.Protocol {
			return // run once per call; no process to start
		}
		// An installed binary lives in NAME/vX.Y.Z/: its describe must
		// agree with that version.
		if dir := filepath.Base(filepath.Dir(found.Path)); strings.HasPrefix(dir, "v") && plugin.LooksLikeVersion(dir) && strings.TrimPrefix(dir, "v") != shared.desc.Version {
			shared.err = fmt.Errorf("%s is installed as version %s but describes itself as %s; reinstall it with packer plugins install", found.Path, strings.TrimPrefix(dir, "v"), shared.desc.Version)
			return
		}
		m.Logger.Printf("starting %s %s (plugin version %s) from %s", binary, found.Path, shared.desc.Version, found.Source)
		reattach, err := plugin.ReattachFromEnv(binary)
		if err != nil {
			shared.err = err
			return
		}
		shared.client = m.Supervisor.NewClient(&plugin.ClientConfig{
			Cmd:      exec.Command(found.Path),
			Name:     binary,
			MinPort:  m.MinPort,
			MaxPort:  m.MaxPort,
			Logger:   m.Logger,
			Reattach: reattach,
		})
		if !shared.desc.ShareProcess {
			return // each instance starts its own process
		}
		if err := shared.client.Start(); err != nil {
			shared.err = fmt.Errorf("starting %s (%s, found in %s): %w", binary, found.Path, found.Source, err)
		}
	})
	if shared.err != nil {
		return nil, shared.err
	}
	var registered []string
	switch found.Kind {
	case plugin.KindBuilder:
		registered = shared.desc.Builders
	case plugin.KindProvisioner:
		registered = shared.desc.Provisioners
	case plugin.KindPostProcessor:
		registered = shared.desc.PostProcessors
	}
	if !slices.Contains(registered, found.Component) {
		prefix := strings.TrimSuffix(strings.TrimPrefix(binary, "packer-plugin-"), ".exe")
		var types []string
		for _, c := range registered {
			if c == plugin.DefaultName {
				types = append(types, prefix)
			} else {
				types = append(types, prefix+"-"+c)
			}
		}
		return nil, fmt.Errorf("%s (%s) has no %s %q; its %ss are: %s", binary, found.Path, found.Kind, found.Name, found.Kind, strings.Join(append(types, "(none)")[:max(len(types), 1)], ", "))
	}
	if shared.desc.Protocol == jsonstdio.Protocol {
		switch found.Kind {
		case plugin.KindPostProcessor:
			pp := jsonstdio.NewPostProcessor(found.Path, m.Logger)
			pp.Name, pp.Supervisor = found.Component, m.Supervisor
			return pp, nil
		case plugin.KindProvisioner:
			p := jsonstdio.NewProvisioner(found.Path, m.Logger)
			p.Name, p.Supervisor = found.Component, m.Supervisor
			return p, nil
		}
		return nil, fmt.Errorf("%s speaks json-stdio, which serves post-processors and provisioners, not %ss", found.Path, found.Kind)
	}
	if !shared.desc.ShareProcess {
		// Isolation, the default: a process of its own for this instance.
		reattach, err := plugin.ReattachFromEnv(binary)
		if err != nil {
			return nil, err
		}
		own := m.Supervisor.NewClient(&plugin.ClientConfig{
			Cmd: exec.Command(found.Path), Name: binary,
			MinPort: m.MinPort, MaxPort: m.MaxPort, Logger: m.Logger, Reattach: reattach,
		})
		return own.Dispense(string(found.Kind), found.Component)
	}
	return shared.client.Dispense(string(found.Kind), found.Component)
}

// component makes a fresh component of kind and name. An external plugin
// gets a process of its own; built-ins are all served by one shared
// process, each instance on its own stream, so a run of many builds does not
// start a process per build.
func (m *Meta) component(kind plugin.Kind, name string) (any, error) {
	found, err := m.Discovery.Find(kind, name)
	if err != nil {
		return nil, err
	}
	if found.Component != "" {
		return m.multiComponent(found)
	}
	if found.Source == plugin.SourceBuiltin {
		m.builtinsOnce.Do(func() {
			m.Logger.Printf("starting the built-in components' process: %s", found.Path)
			m.builtinsClient = m.Supervisor.NewClient(&plugin.ClientConfig{
				Cmd:     exec.Command(found.Path, plugin.BuiltinSubcommand, plugin.BuiltinsArg),
				Name:    "packer-builtins",
				MinPort: m.MinPort,
				MaxPort: m.MaxPort,
				Logger:  m.Logger,
			})
			if err := m.builtinsClient.Start(); err != nil {
				m.builtinsErr = fmt.Errorf("starting packer's built-in components (%s): %w", found.Path, err)
			}
		})
		if m.builtinsErr != nil {
			return nil, m.builtinsErr
		}
		return m.builtinsClient.Dispense(string(kind), name)
	}
	if found.Source != plugin.SourceBuiltin {
		script, err := jsonstdio.IsJSONStdio(found.Path)
		if err != nil {
			return nil, err
		}
		if script {
			m.Logger.Printf("using %s %q from %s: %s (json-stdio)", kind, name, found.Source, found.Path)
			switch kind {
			case plugin.KindPostProcessor:
				pp := jsonstdio.NewPostProcessor(found.Path, m.Logger)
				pp.Supervisor = m.Supervisor
				return pp, nil
			case plugin.KindProvisioner:
				p := jsonstdio.NewProvisioner(found.Path, m.Logger)
				p.Supervisor = m.Supervisor
				return p, nil
			}
			return nil, fmt.Errorf("%s is a json-stdio plugin; that protocol serves post-processors and provisioners, not %ss", found.Path, kind)
		}
	}
	c, err := m.StartPlugin(kind, name)
	if err != nil {
		return nil, err
	}
	switch kind {
	case plugin.KindBuilder:
		return c.Builder()
	case plugin.KindProvisioner:
		return c.Provisioner()
	case plugin.KindPostProcessor:
		return c.PostProcessor()
	case plugin.KindHook:
		return c.Hook()
	}
	return c.Command()
}

// StartPlugin finds the plugin of this kind and name, starts its process
// under the supervisor and completes the handshake. The caller then asks
// the client for the component (client.Builder() and so on); the process
// lives until the supervisor kills it.
func (m *Meta) StartPlugin(kind plugin.Kind, name string) (*plugin.Client, error) {
	found, err := m.Discovery.Find(kind, name)
	if err != nil {
		return nil, err
	}
	reattach, err := plugin.ReattachFromEnv(plugin.BinaryName(kind, name))
	if err != nil {
		return nil, err
	}
	if reattach != nil {
		m.Logger.Printf("reattaching %s %q to the running plugin at %s (pid %d)", kind, name, reattach.Addr, reattach.Pid)
	} else {
		m.Logger.Printf("starting %s %q from %s: %s %q", kind, name, found.Source, found.Path, found.Args)
	}
	client := m.Supervisor.NewClient(&plugin.ClientConfig{
		Cmd:      found.Cmd(),
		Name:     plugin.BinaryName(kind, name),
		MinPort:  m.MinPort,
		MaxPort:  m.MaxPort,
		Logger:   m.Logger,
		Reattach: reattach,
	})
	if err := client.Start(); err != nil {
		return nil, fmt.Errorf("starting %s %q (%s, found in %s): %w", kind, name, found.Path, found.Source, err)
	}
	return client, nil
}

// ComponentFinder gives the core this Meta's way of making components:
// each one fresh, found by discovery, served by a plugin process the
// supervisor tracks.
func (m *Meta) ComponentFinder() packer.ComponentFinder {
	return packer.ComponentFinder{
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
	c, err := m.component(plugin.KindBuilder, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.Builder), nil
}

// Provisioner makes a fresh provisioner of this type (see Builder).
func (m *Meta) Provisioner(typ string) (packer.Provisioner, error) {
	c, err := m.component(plugin.KindProvisioner, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.Provisioner), nil
}

// PostProcessor makes a fresh post-processor of this type (see Builder).
func (m *Meta) PostProcessor(typ string) (packer.PostProcessor, error) {
	c, err := m.component(plugin.KindPostProcessor, typ)
	if err != nil {
		return nil, err
	}
	return c.(packer.PostProcessor), nil
}

// Hook starts a hook plugin process of this name.
func (m *Meta) Hook(name string) (packer.Hook, error) {
	c, err := m.StartPlugin(plugin.KindHook, name)
	if err != nil {
		return nil, err
	}
	return c.Hook()
}

// Command starts a packer-command-NAME plugin: how `packer NAME` runs a
// command packer does not have built in.
func (m *Meta) Command(name string) (packer.Command, error) {
	c, err := m.StartPlugin(plugin.KindCommand, name)
	if err != nil {
		return nil, err
	}
	return c.Command()
}
