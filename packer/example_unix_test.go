//go:build unix

package packer_test

import (
	"context"
	"fmt"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// A provisioner's Provision: RunWithUi runs a command through the build's
// communicator (here one on this machine) and shows each line of its output
// on the Ui as it comes, standard output with Message and standard error
// with Error (recorded here as "error: ..."). A non-zero exit is a status
// to judge, not an error.
func ExampleRemoteCmd_RunWithUi() {
	comm := &local.Communicator{}
	ui := &packertest.Ui{}
	status, err := (&packer.RemoteCmd{Command: "echo installing; echo installed; exit 3"}).RunWithUi(context.Background(), comm, ui)
	fmt.Println(status, err)
	for _, line := range ui.Lines() {
		fmt.Println(line)
	}
	// Output:
	// 3 <nil>
	// installing
	// installed
}
