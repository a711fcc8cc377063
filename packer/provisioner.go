package packer

import "context"

// Provisioner installs and configures software on a running machine through
// the Communicator that the machine's builder provides.
type Provisioner interface {
	// Prepare receives the provisioner's configuration, as Builder.Prepare
	// does, and returns every problem with it at once.
	Prepare(raws ...interface{}) error

	// Provision does the provisioner's work on the machine behind comm.
	Provision(ctx context.Context, ui Ui, comm Communicator) error
}
