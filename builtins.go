package main

import (
	"sort"

	filebuilder "github.com/packer-classic/packer/builder/file"
	nullbuilder "github.com/packer-classic/packer/builder/null"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/post-processor/artifice"
	"github.com/packer-classic/packer/post-processor/manifest"
	shelllocalpp "github.com/packer-classic/packer/post-processor/shell-local"
	"github.com/packer-classic/packer/provisioner/breakpoint"
	fileprov "github.com/packer-classic/packer/provisioner/file"
	"github.com/packer-classic/packer/provisioner/shell"
	shelllocalprov "github.com/packer-classic/packer/provisioner/shell-local"
)

// builtinComponents maps each built-in plugin's binary name to the function
// that serves it from this process. It is the whole list of what ships inside
// the packer executable; an external plugin of the same name overrides one.
func builtinComponents() map[string]func() {
	return map[string]func(){
		"packer-builder-file": func() { plugin.ServeBuilder(new(filebuilder.Builder)) },
		"packer-builder-null": func() { plugin.ServeBuilder(new(nullbuilder.Builder)) },

		"packer-provisioner-breakpoint":  func() { plugin.ServeProvisioner(new(breakpoint.Provisioner)) },
		"packer-provisioner-file":        func() { plugin.ServeProvisioner(new(fileprov.Provisioner)) },
		"packer-provisioner-shell":       func() { plugin.ServeProvisioner(new(shell.Provisioner)) },
		"packer-provisioner-shell-local": func() { plugin.ServeProvisioner(new(shelllocalprov.Provisioner)) },

		"packer-post-processor-artifice":    func() { plugin.ServePostProcessor(new(artifice.PostProcessor)) },
		"packer-post-processor-manifest":    func() { plugin.ServePostProcessor(new(manifest.PostProcessor)) },
		"packer-post-processor-shell-local": func() { plugin.ServePostProcessor(new(shelllocalpp.PostProcessor)) },
	}
}

// builtinNames lists the built-ins by kind, in the shape discovery takes.
func builtinNames() map[plugin.Kind][]string {
	out := make(map[plugin.Kind][]string)
	for binary := range builtinComponents() {
		kind, name, ok := plugin.ParseBinaryName(binary)
		if ok {
			out[kind] = append(out[kind], name)
		}
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
