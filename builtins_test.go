package main

import (
	"testing"

	"github.com/packer-classic/packer/plugin"
)

func TestBuiltinComponents_namesAreValidPluginNames(t *testing.T) {
	names := builtinNames()
	total := 0
	for binary := range builtinFactories() {
		kind, name, ok := plugin.ParseBinaryName(binary)
		if !ok {
			t.Errorf("built-in %q is not named packer-TYPE-NAME", binary)
			continue
		}
		found := false
		for _, n := range names[kind] {
			found = found || n == name
		}
		if !found {
			t.Errorf("built-in %q missing from builtinNames()[%s]", binary, kind)
		}
		total++
	}
	if total == 0 {
		t.Fatal("no built-in components")
	}
}
