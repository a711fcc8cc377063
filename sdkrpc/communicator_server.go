package sdkrpc

import (
	"context"
	"encoding/gob"
	"io"
	"net"
	"os"

	"github.com/packer-classic/packer/packer"
)

// communicatorServer serves a communicator of the core's (a built-in
// builder's, or another SDK plugin's) to an SDK provisioner for one
// Provision. Commands run with the Provision's context, so a cancelled
// provision ends them, which the SDK's own server cannot do.
type communicatorServer struct {
	ctx  context.Context
	comm packer.Communicator
	conn *Conn
}

// Start opens the streams the plugin allocated, starts the command, and
// once it has ended (and its output is written) closes them and sends the
// exit status on the response stream.
func (s *communicatorServer) Start(args *CommunicatorStartArgs, reply *any) error {
	var opened []net.Conn
	closeAll := func() {
		for _, c := range opened {
			c.Close()
		}
	}
	dial := func(id uint32) (net.Conn, error) {
		c, err := s.conn.broker.dial(id)
		if err == nil {
			opened = append(opened, c)
		}
		return c, err
	}
	cmd := &packer.RemoteCmd{Command: args.Command}
	if args.StdinStreamId != 0 {
		c, err := dial(args.StdinStreamId)
		if err != nil {
			closeAll()
			return err
		}
		cmd.Stdin = c
	}
	for _, out := range []struct {
		id uint32
		w  *io.Writer
	}{{args.StdoutStreamId, &cmd.Stdout}, {args.StderrStreamId, &cmd.Stderr}} {
		if out.id == 0 {
			continue
		}
		c, err := dial(out.id)
		if err != nil {
			closeAll()
			return err
		}
		*out.w = c
	}
	response, err := s.conn.broker.dial(args.ResponseStreamId)
	if err != nil {
		closeAll()
		return err
	}
	if s.comm == nil {
		closeAll()
		response.Close()
		return errNoCommunicator
	}
	if err := s.comm.Start(s.ctx, cmd); err != nil {
		closeAll()
		response.Close()
		return err
	}
	go func() {
		status := cmd.Wait()
		closeAll()
		gob.NewEncoder(response).Encode(&CommandFinished{ExitStatus: status})
		response.Close()
	}()
	return nil
}

func (s *communicatorServer) Upload(args *CommunicatorUploadArgs, reply *any) error {
	c, err := s.conn.broker.dial(args.ReaderStreamId)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.comm == nil {
		return errNoCommunicator
	}
	var fi *os.FileInfo
	if args.FileInfo != nil {
		info := os.FileInfo(*args.FileInfo)
		fi = &info
	}
	return s.comm.Upload(args.Path, c, fi)
}

func (s *communicatorServer) Download(args *CommunicatorDownloadArgs, reply *any) error {
	c, err := s.conn.broker.dial(args.WriterStreamId)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.comm == nil {
		return errNoCommunicator
	}
	return s.comm.Download(args.Path, c)
}

func (s *communicatorServer) UploadDir(args *CommunicatorUploadDirArgs, reply *any) error {
	if s.comm == nil {
		return errNoCommunicator
	}
	return s.comm.UploadDir(args.Dst, args.Src, args.Exclude)
}

func (s *communicatorServer) DownloadDir(args *CommunicatorUploadDirArgs, reply *any) error {
	if s.comm == nil {
		return errNoCommunicator
	}
	return s.comm.DownloadDir(args.Src, args.Dst, args.Exclude)
}
