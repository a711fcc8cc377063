package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"

	"github.com/packer-classic/packer/packer"
)

// naiveCommunicator runs commands on this machine the way a plugin author
// in a hurry might: exec.CommandContext with the RemoteCmd's writers, and
// SetExited after Wait. Cancelling kills the shell only, and Wait waits for
// every process holding the output pipes, so a command that left a process
// behind never reports its exit. The core must cope with such a
// communicator without waiting for it forever.
type naiveCommunicator struct{}

func (naiveCommunicator) Start(ctx context.Context, rc *packer.RemoteCmd) error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", rc.Command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = rc.Stdin, rc.Stdout, rc.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		cmd.Wait()
		rc.SetExited(cmd.ProcessState.ExitCode())
	}()
	return nil
}

func (naiveCommunicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	data, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

var errNaive = errors.New("the naive communicator only runs commands and uploads files")

func (naiveCommunicator) UploadDir(string, string, []string) error   { return errNaive }
func (naiveCommunicator) Download(string, io.Writer) error           { return errNaive }
func (naiveCommunicator) DownloadDir(string, string, []string) error { return errNaive }
