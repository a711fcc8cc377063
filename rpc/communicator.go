package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/packer-classic/packer/packer"
)

// packer.Communicator on the wire. File contents and a command's stdio do
// not travel in calls: each gets a data stream of its own (data.go), named
// by an id in the call, and flows as it comes. A command's exit comes back
// as a call of its own (remote_cmd.go).
var communicatorInterface = declare(wireInterface{
	id:   8,
	name: "Communicator",
	serve: func(s *session, obj any) any {
		if c, ok := obj.(packer.Communicator); ok {
			return &communicatorServer{s: s, impl: c}
		}
		return nil
	},
	proxy: func(r *remote) any { return &communicatorClient{r} },
	methods: []string{communicatorStart, communicatorUpload, communicatorDownload,
		communicatorUploadDir, communicatorDownloadDir},
})

const (
	communicatorStart       = "Communicator.Start"
	communicatorUpload      = "Communicator.Upload"
	communicatorDownload    = "Communicator.Download"
	communicatorUploadDir   = "Communicator.UploadDir"
	communicatorDownloadDir = "Communicator.DownloadDir"
)

// CommunicatorStartArgs is the wire form of Communicator.Start's arguments:
// the command, the data streams its stdio travels on (0: none), and the
// object to call when it has exited.
type CommunicatorStartArgs struct {
	Ctx      wireContext
	Command  string
	Stdin    uint32
	Stdout   uint32
	Stderr   uint32
	OnExited ref
}

// CommunicatorUploadArgs is the wire form of Communicator.Upload's
// arguments: the file's bytes come on data stream Data.
type CommunicatorUploadArgs struct {
	Dst      string
	Data     uint32
	FileInfo wireFileInfo
}

// CommunicatorDownloadArgs is the wire form of Communicator.Download's
// arguments: the file's bytes go on data stream Data.
type CommunicatorDownloadArgs struct {
	Src  string
	Data uint32
}

// CommunicatorDirArgs is the wire form of UploadDir's and DownloadDir's
// arguments.
type CommunicatorDirArgs struct {
	Dst, Src string
	Exclude  []string
}

// communicatorClient is a packer.Communicator on the other side of the
// connection.
type communicatorClient struct{ r *remote }

var _ packer.Communicator = (*communicatorClient)(nil)

func (c *communicatorClient) Start(ctx context.Context, cmd *packer.RemoteCmd) error {
	exit, args, err := c.r.s.startRemoteCmd(ctx, cmd)
	if err != nil {
		return err
	}
	if err := c.r.callErr(communicatorStart, &args); err != nil {
		exit.end(0, false)
		return err
	}
	return nil
}

func (c *communicatorClient) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	s := c.r.s
	id := s.newDataID()
	stream, err := s.openData(id)
	if err != nil {
		return err
	}
	copied := make(chan error, 1)
	go func() {
		_, err := copyBytes(stream, src)
		stream.Close()
		copied <- err
	}()
	err = c.r.callErr(communicatorUpload, &CommunicatorUploadArgs{Dst: dst, Data: id, FileInfo: encodeFileInfo(fi)})
	// Closing our end unblocks the copy if the other side stopped reading.
	stream.Close()
	if err != nil {
		return err
	}
	if err := <-copied; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("reading the data to upload to %s: %w", dst, err)
	}
	return nil
}

func (c *communicatorClient) Download(src string, dst io.Writer) error {
	s := c.r.s
	id := s.newDataID()
	arrived := s.expectData(id)
	copied := make(chan error, 1)
	go func() {
		select {
		case stream := <-arrived:
			copied <- drainInto(dst, stream)
		case <-s.closed.Done():
			copied <- ErrConnectionLost
		}
	}()
	err := c.r.callErr(communicatorDownload, &CommunicatorDownloadArgs{Src: src, Data: id})
	copyErr := <-copied
	if err != nil {
		return err
	}
	if copyErr != nil {
		return fmt.Errorf("writing the download of %s: %w", src, copyErr)
	}
	return nil
}

func (c *communicatorClient) UploadDir(dst, src string, exclude []string) error {
	return c.r.callErr(communicatorUploadDir, &CommunicatorDirArgs{Dst: dst, Src: src, Exclude: exclude})
}

func (c *communicatorClient) DownloadDir(src, dst string, exclude []string) error {
	return c.r.callErr(communicatorDownloadDir, &CommunicatorDirArgs{Dst: dst, Src: src, Exclude: exclude})
}

func (c *communicatorClient) remoteRef() *remote { return c.r }

// communicatorServer serves a packer.Communicator to the other side.
type communicatorServer struct {
	s    *session
	impl packer.Communicator
}

// Start serves Communicator.Start. It returns once the command has started;
// when it exits, the output streams are closed and the caller's SetExited is
// called with the status.
func (c *communicatorServer) Start(args *CommunicatorStartArgs, reply *ErrorReply) error {
	s := c.s
	reply.Err = s.run(communicatorStart, func() error {
		// Both output streams are opened before anything can fail, so the
		// caller's copies always end.
		stdout, err := s.openData(args.Stdout)
		if err != nil {
			return err
		}
		stderr, err := s.openData(args.Stderr)
		if err != nil {
			stdout.Close()
			return err
		}
		var stdin net.Conn
		closeAll := func() {
			stdout.Close()
			stderr.Close()
			if stdin != nil {
				stdin.Close()
			}
		}
		if args.Stdin != 0 {
			if stdin, err = s.awaitData(args.Stdin); err != nil {
				closeAll()
				return err
			}
		}
		exitNotice, err := resolveAs[*cmdExitClient](s, args.OnExited, remoteCmdInterface.id)
		if err != nil {
			closeAll()
			return err
		}
		ctx, done := s.importContext(args.Ctx)
		cmd := &packer.RemoteCmd{Command: args.Command, Stdout: stdout, Stderr: stderr}
		if stdin != nil {
			cmd.Stdin = stdin
		}
		if err := c.impl.Start(ctx, cmd); err != nil {
			done()
			closeAll()
			return err
		}
		go func() {
			status := cmd.Wait()
			closeAll()
			done()
			exitNotice.setExited(status)
		}()
		return nil
	})
	return nil
}

// Upload serves Communicator.Upload, reading the file from its data stream.
func (c *communicatorServer) Upload(args *CommunicatorUploadArgs, reply *ErrorReply) error {
	reply.Err = c.s.run(communicatorUpload, func() error {
		stream, err := c.s.awaitData(args.Data)
		if err != nil {
			return err
		}
		defer stream.Close()
		return c.impl.Upload(args.Dst, stream, args.FileInfo.fileInfo())
	})
	return nil
}

// Download serves Communicator.Download, writing the file to its data
// stream.
func (c *communicatorServer) Download(args *CommunicatorDownloadArgs, reply *ErrorReply) error {
	reply.Err = c.s.run(communicatorDownload, func() error {
		stream, err := c.s.openData(args.Data)
		if err != nil {
			return err
		}
		defer stream.Close()
		return c.impl.Download(args.Src, stream)
	})
	return nil
}

// UploadDir serves Communicator.UploadDir.
func (c *communicatorServer) UploadDir(args *CommunicatorDirArgs, reply *ErrorReply) error {
	reply.Err = c.s.run(communicatorUploadDir, func() error {
		return c.impl.UploadDir(args.Dst, args.Src, args.Exclude)
	})
	return nil
}

// DownloadDir serves Communicator.DownloadDir.
func (c *communicatorServer) DownloadDir(args *CommunicatorDirArgs, reply *ErrorReply) error {
	reply.Err = c.s.run(communicatorDownloadDir, func() error {
		return c.impl.DownloadDir(args.Src, args.Dst, args.Exclude)
	})
	return nil
}
