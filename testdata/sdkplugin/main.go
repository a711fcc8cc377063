// Command packer-plugin-fixture is a test plugin built with HashiCorp's
// packer-plugin-sdk, unchanged in every way that matters to a core: packer's
// tests run it to prove that SDK plugins work here. Its components:
//
//   - builder "local" (type fixture-local): runs on this machine, lends a
//     communicator that runs commands with /bin/sh, declares the generated
//     variable FixtureVar, and returns an artifact with generated_data;
//   - builder "hang" (type fixture-hang): never answers the handshake;
//   - provisioner "probe" (type fixture-probe): uses every method of the
//     communicator it is given, and the Ui;
//   - post-processor "probe" (type fixture-probe): reads its input
//     artifact, generated_data included, and writes a file describing it.
//
// Each can be told, by its configuration, to wait for a cancel (saying so
// first) or to die in the middle of its call.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/plugin"
	"github.com/hashicorp/packer-plugin-sdk/version"
)

func main() {
	if len(os.Args) >= 4 && os.Args[1] == "start" && os.Args[len(os.Args)-1] == "hang" {
		// A plugin that never prints its handshake line. Sleep rather
		// than select{}: the runtime would call that a deadlock.
		time.Sleep(time.Hour)
		os.Exit(1)
	}
	set := plugin.NewSet()
	set.RegisterBuilder("local", new(Builder))
	set.RegisterBuilder("hang", new(Builder))
	set.RegisterProvisioner("probe", new(Provisioner))
	set.RegisterPostProcessor("probe", new(PostProcessor))
	set.SetVersion(version.NewPluginVersion("1.0.0", "", ""))
	if err := set.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
