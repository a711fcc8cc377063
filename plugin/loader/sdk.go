package loader

import (
	"path/filepath"

	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/plugin/sdk"
)

// fromSDK starts a process of a packer-plugin-sdk plugin for this one
// instance of its component, as Packer does, and returns the component.
func (l *Loader) fromSDK(found plugin.Found, desc plugin.Description) (any, error) {
	binary := filepath.Base(found.Path)
	component := plugin.SDKComponentName(found.Component)
	l.config.Logger.Printf("starting %s %q from %s: %s start %s %s (packer-plugin-sdk %s, plugin version %s)",
		found.Kind, found.Name, found.Source, found.Path, found.Kind, component, desc.SDK.SDKVersion, desc.Version)
	// Started in the background: the build's other plugins start
	// meanwhile, and the component waits for this one on first use.
	p := sdk.StartInBackground(sdk.Config{
		Path:       found.Path,
		Kind:       found.Kind,
		Component:  component,
		Name:       binary,
		Supervisor: l.config.Supervisor,
		MinPort:    l.config.MinPort,
		MaxPort:    l.config.MaxPort,
		Logger:     l.config.Logger,
	})
	return p.Component()
}
