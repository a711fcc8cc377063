package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// copyBufferSize is the buffer of every bulk copy: large, so a transfer
// costs few frames.
const copyBufferSize = 256 << 10

func copyBytes(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, copyBufferSize)
	return io.CopyBuffer(dst, src, buf)
}

// communicatorClient is a packer.Communicator on the other side of the
// connection. File contents and command output cross on data streams of
// their own, as they come.
type communicatorClient struct{ r *remote }

var _ packer.Communicator = (*communicatorClient)(nil)

// CommStartArgs is the wire form of Communicator.Start's arguments: the
// command, and the data streams its stdio travels on (0: none).
type CommStartArgs struct {
	Ctx      wireContext
	Command  string
	Stdin    uint32
	Stdout   uint32
	Stderr   uint32
	OnExited ref
}

// CommUploadArgs is the wire form of Communicator.Upload's arguments.
type CommUploadArgs struct {
	Dst      string
	Data     uint32
	FileInfo wireFileInfo
}

// CommDownloadArgs is the wire form of Communicator.Download's arguments.
type CommDownloadArgs struct {
	Src  string
	Data uint32
}

// CommDirArgs is the wire form of UploadDir's and DownloadDir's arguments.
type CommDirArgs struct {
	Dst, Src string
	Exclude  []string
}

func (c *communicatorClient) Start(ctx context.Context, cmd *packer.RemoteCmd) error {
	s := c.r.s
	wc, stopContext := s.exportContext(ctx)
	exit := &cmdExitServer{s: s, cmd: cmd, stopContext: stopContext}
	args := &CommStartArgs{Ctx: wc, Command: cmd.Command}

	if cmd.Stdin != nil {
		args.Stdin = s.newDataID()
		stream, err := s.openData(args.Stdin)
		if err != nil {
			stopContext()
			return err
		}
		exit.stdin = stream
		go func() {
			copyBytes(stream, cmd.Stdin)
			stream.Close()
		}()
	}
	args.Stdout = s.newDataID()
	args.Stderr = s.newDataID()
	// The two streams are copied by two goroutines: one writer given for
	// both must see one write at a time.
	stdout, stderr := packer.SyncSharedWriters(cmd.Stdout, cmd.Stderr)
	exit.copied.Add(2)
	go exit.receive(s.expectData(args.Stdout), stdout)
	go exit.receive(s.expectData(args.Stderr), stderr)

	s.pendingMu.Lock()
	s.pending[exit] = struct{}{}
	s.pendingMu.Unlock()
	args.OnExited = s.export(exit)
	exit.id = args.OnExited.ID

	var reply ErrorReply
	err := c.r.call("Communicator.Start", args, &reply)
	if err == nil {
		err = decodeError(reply.Err)
	}
	if err != nil {
		exit.abandon()
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
	var reply ErrorReply
	err = c.r.call("Communicator.Upload", &CommUploadArgs{Dst: dst, Data: id, FileInfo: encodeFileInfo(fi)}, &reply)
	if err == nil {
		err = decodeError(reply.Err)
	}
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
	var reply ErrorReply
	err := c.r.call("Communicator.Download", &CommDownloadArgs{Src: src, Data: id}, &reply)
	if err == nil {
		err = decodeError(reply.Err)
	}
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
	var reply ErrorReply
	if err := c.r.call("Communicator.UploadDir", &CommDirArgs{Dst: dst, Src: src, Exclude: exclude}, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (c *communicatorClient) DownloadDir(src, dst string, exclude []string) error {
	var reply ErrorReply
	if err := c.r.call("Communicator.DownloadDir", &CommDirArgs{Dst: dst, Src: src, Exclude: exclude}, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}

func (c *communicatorClient) remoteRef() *remote { return c.r }

// drainInto copies a data stream into dst. If dst fails, it keeps reading
// (and discarding) so the sender is never left blocked, and returns dst's
// error at the end.
func drainInto(dst io.Writer, stream net.Conn) error {
	defer stream.Close()
	if dst == nil {
		dst = io.Discard
	}
	_, err := copyBytes(dst, stream)
	if err != nil {
		copyBytes(io.Discard, stream)
	}
	return err
}

// cmdExitServer is the caller's side of one remote command: it copies the
// command's output and hears when the command exited.
type cmdExitServer struct {
	s           *session
	id          uint32
	cmd         *packer.RemoteCmd
	stdin       net.Conn
	copied      sync.WaitGroup
	stopContext func()
	once        sync.Once
}

func (e *cmdExitServer) receive(arrived <-chan net.Conn, dst io.Writer) {
	defer e.copied.Done()
	select {
	case stream := <-arrived:
		if err := drainInto(dst, stream); err != nil {
			e.s.logger.Printf("rpc: writing the output of %q: %v", e.cmd.Command, err)
		}
	case <-e.s.closed.Done():
	}
}

// SetExited is called by the other side when the command has exited and its
// output streams are closed.
func (e *cmdExitServer) SetExited(status int, _ *bool) error {
	e.finish(status)
	return nil
}

func (e *cmdExitServer) finish(status int) {
	e.once.Do(func() {
		e.copied.Wait()
		if e.stdin != nil {
			e.stdin.Close()
		}
		e.stopContext()
		e.s.pendingMu.Lock()
		delete(e.s.pending, e)
		e.s.pendingMu.Unlock()
		e.s.objects.release(e.id)
		e.cmd.SetExited(status)
	})
}

// connectionLost ends a command whose connection went away: it exits with
// packer.CmdDisconnect, as a command does when its machine disconnects.
func (e *cmdExitServer) connectionLost() {
	go e.finish(packer.CmdDisconnect)
}

// abandon cleans up after a Start that failed.
func (e *cmdExitServer) abandon() {
	e.once.Do(func() {
		if e.stdin != nil {
			e.stdin.Close()
		}
		e.stopContext()
		e.s.pendingMu.Lock()
		delete(e.s.pending, e)
		e.s.pendingMu.Unlock()
		e.s.objects.release(e.id)
	})
}

// communicatorServer serves a packer.Communicator to the other side.
type communicatorServer struct {
	s    *session
	impl packer.Communicator
}

// Start serves Communicator.Start. It returns once the command has started;
// when it exits, the output streams are closed and the caller's SetExited is
// called with the status.
func (c *communicatorServer) Start(args *CommStartArgs, reply *ErrorReply) error {
	s := c.s
	reply.Err = s.run("Communicator.Start", func() error {
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
		onExited, err := s.resolve(args.OnExited, ifaceCmdExit)
		if err != nil {
			closeAll()
			return err
		}
		exitNotice := onExited.(*cmdExitClient)

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
func (c *communicatorServer) Upload(args *CommUploadArgs, reply *ErrorReply) error {
	reply.Err = c.s.run("Communicator.Upload", func() error {
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
func (c *communicatorServer) Download(args *CommDownloadArgs, reply *ErrorReply) error {
	reply.Err = c.s.run("Communicator.Download", func() error {
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
func (c *communicatorServer) UploadDir(args *CommDirArgs, reply *ErrorReply) error {
	reply.Err = c.s.run("Communicator.UploadDir", func() error {
		return c.impl.UploadDir(args.Dst, args.Src, args.Exclude)
	})
	return nil
}

// DownloadDir serves Communicator.DownloadDir.
func (c *communicatorServer) DownloadDir(args *CommDirArgs, reply *ErrorReply) error {
	reply.Err = c.s.run("Communicator.DownloadDir", func() error {
		return c.impl.DownloadDir(args.Src, args.Dst, args.Exclude)
	})
	return nil
}

// cmdExitClient tells the caller of Communicator.Start that its command
// exited.
type cmdExitClient struct{ r *remote }

func (e *cmdExitClient) setExited(status int) {
	e.r.callNoError("RemoteCmd.SetExited", status, new(bool))
}

func (e *cmdExitClient) remoteRef() *remote { return e.r }
