package packer

import "context"

// Provisioner installs and configures software on a running machine through
// the Communicator that the machine's builder provides.
// packertest.TestProvisioner checks an implementation against what follows.
type Provisioner interface {
	// Prepare receives the provisioner's configuration, as Builder.Prepare
	// does, and returns every problem with it at once. The core calls it
	// again, with the configuration rendered with the builder's data,
	// before Provision.
	Prepare(raws ...interface{}) error

	// Provision does the provisioner's work on the machine behind comm (nil
	// for a build without a communicator). ui and comm may live in other
	// processes; both may be used from several goroutines.
	//
	// When ctx is cancelled (Ctrl-C, or the template's "timeout" for this
	// provisioner), Provision stops: the commands it started through comm
	// end with the context, and it returns ctx.Err() or an error wrapping
	// it (see Cancelled). A provisioner past its timeout fails whatever it
	// returns; one that has not returned packer.CancelGrace after its
	// deadline is given up on, and its plugin process killed.
	Provision(ctx context.Context, ui Ui, comm Communicator) error
}
