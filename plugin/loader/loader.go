// Package loader turns a component's kind and name into a fresh component,
// served by a plugin process: it owns how packer finds plugins and which
// process serves which component, so that a command makes one call,
// Component, and the core never sees a process.
//
// The process model, by what discovery found:
//
//   - a built-in: one process for the whole run (`packer plugin --builtins`,
//     the packer executable itself), each instance on its own stream;
//   - a packer-TYPE-NAME binary: a process of its own for each instance;
//   - a packer-plugin-NAME binary: asked once, with `describe`, what it
//     serves; its instances share one process when it says so
//     (plugin.Set.ShareProcess), else each has its own;
//   - a json-stdio program: run once per call (package jsonstdio);
//   - a plugin named in PACKER_REATTACH_PLUGINS: the process the author
//     started with -debug-server, instead of a new one.
//
// Every process is started under the run's Supervisor, which ends them all.
package loader

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

// Config is what a Loader is made from.
type Config struct {
	// Discovery finds plugins; it may still gain pins (a template's
	// required_plugins) after the Loader is made, until the first
	// component is asked for.
	Discovery *plugin.Discovery
	// Supervisor starts and tracks every process the Loader starts.
	Supervisor *plugin.Supervisor
	// MinPort and MaxPort bound plugin ports; zero leaves them to the
	// environment and the defaults.
	MinPort, MaxPort int
	// Logger receives what the Loader does and every plugin's log.
	Logger *log.Logger
}

// Loader makes components. It is safe for concurrent use: builds ask for
// their components in parallel.
type Loader struct {
	config Config

	builtins shared // the built-ins' process

	mu    sync.Mutex
	multi map[string]*multiPlugin // by binary path
}

// shared is a process started once and used by every instance it serves.
type shared struct {
	once   sync.Once
	client *plugin.Client
	err    error
}

// multiPlugin is a packer-plugin-NAME binary: what its describe said, and
// its one process when its instances share it.
type multiPlugin struct {
	shared
	desc plugin.Description
}

// New returns a Loader; nothing starts until a component is asked for.
func New(config Config) *Loader {
	if config.Logger == nil {
		config.Logger = log.New(io.Discard, "", 0)
	}
	return &Loader{config: config, multi: map[string]*multiPlugin{}}
}

// Component makes a fresh component of kind named name (a builder type, a
// provisioner type, a command name), as the interface of its kind: a
// packer.Builder for packer.KindBuilder, and so on. Two calls never return
// the same instance, so builds in parallel share no component. An error
// names the plugin, where it was found and what to do.
func (l *Loader) Component(kind packer.Kind, name string) (any, error) {
	found, err := l.config.Discovery.Find(kind, name)
	if err != nil {
		return nil, err
	}
	switch {
	case found.Component != "":
		return l.fromMulti(found)
	case found.Source == plugin.SourceBuiltin:
		return l.fromBuiltins(found)
	}
	script, err := jsonstdio.IsJSONStdio(found.Path)
	if err != nil {
		return nil, err
	}
	if script {
		l.config.Logger.Printf("using %s %q from %s: %s (json-stdio)", kind, name, found.Source, found.Path)
		return l.jsonStdio(found, "")
	}
	client, err := l.client(found.Cmd(), plugin.BinaryName(kind, name), found)
	if err != nil {
		return nil, err
	}
	component, err := client.Component(kind)
	if err != nil {
		return nil, fmt.Errorf("starting %s %q (%s, found in %s): %w", kind, name, found.Path, found.Source, err)
	}
	return component, nil
}

// client makes the client of one process under the supervisor: the only
// place a plugin.ClientConfig is built. A plugin the environment names for
// reattaching is the running one instead.
func (l *Loader) client(cmd *exec.Cmd, name string, found plugin.Found) (*plugin.Client, error) {
	reattach, err := plugin.ReattachFromEnv(name)
	if err != nil {
		return nil, err
	}
	if reattach != nil {
		l.config.Logger.Printf("reattaching %s to the running plugin at %s (pid %d)", name, reattach.Addr, reattach.Pid)
	} else {
		l.config.Logger.Printf("starting %s from %s: %s %q", name, found.Source, cmd.Path, cmd.Args[1:])
	}
	return l.config.Supervisor.NewClient(&plugin.ClientConfig{
		Cmd:      cmd,
		Name:     name,
		MinPort:  l.config.MinPort,
		MaxPort:  l.config.MaxPort,
		Logger:   l.config.Logger,
		Reattach: reattach,
	}), nil
}

// fromBuiltins dispenses a built-in from the run's one built-ins process.
func (l *Loader) fromBuiltins(found plugin.Found) (any, error) {
	l.builtins.once.Do(func() {
		l.config.Logger.Printf("starting the built-in components' process: %s", found.Path)
		cmd := exec.Command(found.Path, plugin.BuiltinSubcommand, plugin.BuiltinsArg)
		if l.builtins.client, l.builtins.err = l.client(cmd, "packer-builtins", found); l.builtins.err != nil {
			return
		}
		if err := l.builtins.client.Start(); err != nil {
			l.builtins.err = fmt.Errorf("starting packer's built-in components (%s): %w", found.Path, err)
		}
	})
	if l.builtins.err != nil {
		return nil, l.builtins.err
	}
	return l.builtins.client.Dispense(found.Kind, found.Name)
}

// fromMulti dispenses a component of a packer-plugin-NAME binary, after
// checking, with its describe (once per run), that it speaks this packer's
// protocol and has the component.
func (l *Loader) fromMulti(found plugin.Found) (any, error) {
	m, err := l.describe(found)
	if err != nil {
		return nil, err
	}
	binary := filepath.Base(found.Path)
	if !slices.Contains(m.desc.Names(found.Kind), found.Component) {
		return nil, fmt.Errorf("%s (%s) has no %s %q; its %ss are: %s", binary, found.Path, found.Kind, found.Name, found.Kind, m.desc.Types(binary, found.Kind))
	}
	if m.desc.Protocol == jsonstdio.Protocol {
		return l.jsonStdio(found, found.Component)
	}
	if m.desc.SDK != nil {
		return l.fromSDK(found, m.desc)
	}
	if m.desc.ShareProcess {
		return m.client.Dispense(found.Kind, found.Component)
	}
	// Isolation, the default: a process of its own for this instance.
	own, err := l.client(exec.Command(found.Path), binary, found)
	if err != nil {
		return nil, err
	}
	return own.Dispense(found.Kind, found.Component)
}

// describe runs a multi-component plugin's describe once per run, and
// starts its shared process when its instances share one.
func (l *Loader) describe(found plugin.Found) (*multiPlugin, error) {
	l.mu.Lock()
	m := l.multi[found.Path]
	if m == nil {
		m = &multiPlugin{}
		l.multi[found.Path] = m
	}
	l.mu.Unlock()
	binary := filepath.Base(found.Path)
	m.once.Do(func() {
		// Components are made without a context; the describe is bounded
		// by its timeout, and by the supervisor on an interrupt.
		if m.desc, m.err = l.config.Supervisor.Describe(context.Background(), found.Path, l.config.Logger); m.err != nil {
			return
		}
		if m.desc.Protocol == jsonstdio.Protocol {
			return // run once per call; no process to start
		}
		// An installed binary lives in NAME/vX.Y.Z/: its describe must
		// agree with that version.
		if dir := filepath.Base(filepath.Dir(found.Path)); strings.HasPrefix(dir, "v") && plugin.LooksLikeVersion(dir) && strings.TrimPrefix(dir, "v") != m.desc.Version {
			m.err = fmt.Errorf("%s is installed as version %s but describes itself as %s; reinstall it with packer plugins install", found.Path, strings.TrimPrefix(dir, "v"), m.desc.Version)
			return
		}
		if m.err = plugin.CheckPackerName(found.Path, m.desc); m.err != nil {
			return
		}
		if !m.desc.ShareProcess {
			return // each instance starts its own process
		}
		l.config.Logger.Printf("%s (plugin version %s) serves every instance from one process", binary, m.desc.Version)
		if m.client, m.err = l.client(exec.Command(found.Path), binary, found); m.err != nil {
			return
		}
		if err := m.client.Start(); err != nil {
			m.err = fmt.Errorf("starting %s (%s, found in %s): %w", binary, found.Path, found.Source, err)
		}
	})
	return m, m.err
}

// jsonStdio makes a json-stdio component: a program run once per call.
func (l *Loader) jsonStdio(found plugin.Found, component string) (any, error) {
	switch found.Kind {
	case packer.KindPostProcessor:
		pp := jsonstdio.NewPostProcessor(found.Path, l.config.Logger)
		pp.Name, pp.Supervisor = component, l.config.Supervisor
		return pp, nil
	case packer.KindProvisioner:
		p := jsonstdio.NewProvisioner(found.Path, l.config.Logger)
		p.Name, p.Supervisor = component, l.config.Supervisor
		return p, nil
	}
	return nil, fmt.Errorf("%s is a json-stdio plugin; that protocol serves post-processors and provisioners, not %ss", found.Path, found.Kind)
}
