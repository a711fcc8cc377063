// Package ssh is a packer.Communicator over SSH, on golang.org/x/crypto/ssh
// as real Packer's is, for builders that make a machine and reach it over
// the network (the qemu builder, through a port forward).
//
// A builder embeds Config in its configuration, which gives it Packer's
// ssh_* keys, checks them with Config.Prepare in its own Prepare, and once
// the machine is starting calls Connect with the address it knows:
//
//	type Config struct {
//		Comm ssh.Config `mapstructure:",squash"`
//		...
//	}
//
//	comm, err := ssh.Connect(ctx, &b.config.Comm, "127.0.0.1", hostPort)
//	if err != nil {
//		return err // says what the last attempt met and which key to change
//	}
//	defer comm.Close()
//	// hand comm to the provision hook
//
// Connect waits for the machine's SSH server as long as ssh_timeout allows,
// trying again within a second of any failure. The Communicator then runs
// each command in a session of its own on one connection and moves files
// with scp or sftp (ssh_file_transfer_method). When the machine reboots,
// the commands running end with packer.CmdDisconnect and the next call
// connects again. docs/communicators/ssh.md documents every key.
package ssh
