package main

import (
	"sort"

	filebuilder "github.com/packer-classic/packer/builder/file"
	nullbuilder "github.com/packer-classic/packer/builder/null"
	"github.com/packer-classic/packer/builder/qemu"
	"github.com/packer-classic/packer/builder/rootfs"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/post-processor/artifice"
	"github.com/packer-classic/packer/post-processor/checksum"
	"github.com/packer-classic/packer/post-processor/compress"
	"github.com/packer-classic/packer/post-processor/manifest"
	shelllocalpp "github.com/packer-classic/packer/post-processor/shell-local"
	"github.com/packer-classic/packer/provisioner/breakpoint"
	fileprov "github.com/packer-classic/packer/provisioner/file"
	"github.com/packer-classic/packer/provisioner/shell"
	shelllocalprov "github.com/packer-classic/packer/provisioner/shell-local"
)

// builtinFactories maps each built-in plugin's binary name to the function
// that makes a fresh component. It is the whole list of what ships inside
// the packer executable; an external plugin of the same name overrides one.
func builtinFactories() map[string]func() any {
	return map[string]func() any{
		"packer-builder-file":   func() any { return new(filebuilder.Builder) },
		"packer-builder-null":   func() any { return new(nullbuilder.Builder) },
		"packer-builder-qemu":   func() any { return new(qemu.Builder) },
		"packer-builder-rootfs": func() any { return new(rootfs.Builder) },

		"packer-provisioner-breakpoint":  func() any { return new(breakpoint.Provisioner) },
		"packer-provisioner-file":        func() any { return new(fileprov.Provisioner) },
		"packer-provisioner-shell":       func() any { return new(shell.Provisioner) },
		"packer-provisioner-shell-local": func() any { return new(shelllocalprov.Provisioner) },

		"packer-post-processor-artifice":    func() any { return new(artifice.PostProcessor) },
		"packer-post-processor-checksum":    func() any { return new(checksum.PostProcessor) },
		"packer-post-processor-compress":    func() any { return new(compress.PostProcessor) },
		"packer-post-processor-manifest":    func() any { return new(manifest.PostProcessor) },
		"packer-post-processor-shell-local": func() any { return new(shelllocalpp.PostProcessor) },
	}
}

// builtinSet serves every built-in from one process (`packer plugin
// --builtins`), a fresh instance for each request on its own stream: a run
// with many builds starts one process for the built-ins, not one per build.
func builtinSet() *plugin.Set {
	set := plugin.NewSet(packer.Version)
	set.ShareProcess(true) // packer's own components keep no global state
	for binary, make := range builtinFactories() {
		kind, name, ok := plugin.ParseBinaryName(binary)
		if !ok {
			continue
		}
		switch kind {
		case packer.KindBuilder:
			set.RegisterBuilder(name, func() packer.Builder { return make().(packer.Builder) })
		case packer.KindProvisioner:
			set.RegisterProvisioner(name, func() packer.Provisioner { return make().(packer.Provisioner) })
		case packer.KindPostProcessor:
			set.RegisterPostProcessor(name, func() packer.PostProcessor { return make().(packer.PostProcessor) })
		}
	}
	return set
}

// builtinNames lists the built-ins by kind, in the shape discovery takes.
func builtinNames() map[packer.Kind][]string {
	out := make(map[packer.Kind][]string)
	for binary := range builtinFactories() {
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
