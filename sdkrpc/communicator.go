package sdkrpc

import (
	"context"
	"encoding/gob"
	"io"
	"net"
	"net/rpc"
	"os"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// communicatorClient is the communicator an SDK builder lends through its
// provision hook, as a packer.Communicator the core's provisioners use.
type communicatorClient struct {
	conn   *Conn
	client *rpc.Client
}

// Start runs cmd through the plugin. The plugin opens the streams this
// side allocates, copies the command's output into them, and sends the
// exit status as a gob CommandFinished on the response stream. The SDK
// does not carry a command's cancellation: when ctx ends first, this side
// stops reading (closing its ends of the streams) and reports
// packer.CmdDisconnect at once.
func (c *communicatorClient) Start(ctx context.Context, cmd *packer.RemoteCmd) error {
	b := c.conn.broker
	args := CommunicatorStartArgs{Command: cmd.Command}
	var copies sync.WaitGroup
	var streams streamSet
	if cmd.Stdin != nil {
		args.StdinStreamId = b.nextID()
		go streams.serve(b, args.StdinStreamId, nil, cmd.Stdin, nil)
	}
	for _, out := range []struct {
		w  io.Writer
		id *uint32
	}{{cmd.Stdout, &args.StdoutStreamId}, {cmd.Stderr, &args.StderrStreamId}} {
		if out.w == nil {
			continue
		}
		*out.id = b.nextID()
		copies.Add(1)
		go streams.serve(b, *out.id, out.w, nil, &copies)
	}
	args.ResponseStreamId = b.nextID()
	finished := make(chan int, 1)
	go func() {
		finished <- c.awaitExit(args.ResponseStreamId, &streams, &copies)
	}()
	if err := c.client.Call("Communicator.Start", &args, nil); err != nil {
		streams.closeAll()
		return callFailed("Communicator.Start", err, ctx.Err(), c.conn.config.Explain)
	}
	go func() {
		select {
		case status := <-finished:
			cmd.SetExited(status)
		case <-ctx.Done():
			streams.closeAll()
			copies.Wait()
			cmd.SetExited(packer.CmdDisconnect)
		}
	}()
	return nil
}

// awaitExit reads the exit status from the response stream, once the
// output has been copied; a stream that fails says the connection was lost.
func (c *communicatorClient) awaitExit(id uint32, streams *streamSet, copies *sync.WaitGroup) int {
	conn, err := c.conn.broker.accept(id)
	if err != nil {
		streams.closeAll()
		copies.Wait()
		return packer.CmdDisconnect
	}
	streams.add(conn)
	defer conn.Close()
	var finished CommandFinished
	err = gob.NewDecoder(conn).Decode(&finished)
	copies.Wait()
	if err != nil {
		return packer.CmdDisconnect
	}
	return finished.ExitStatus
}

func (c *communicatorClient) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	id := c.conn.broker.nextID()
	go c.conn.broker.serveCopy(id, nil, src, nil)
	args := CommunicatorUploadArgs{Path: dst, ReaderStreamId: id}
	if fi != nil && *fi != nil {
		args.FileInfo = newFileInfo(*fi)
	}
	return c.call("Communicator.Upload", &args)
}

func (c *communicatorClient) Download(src string, dst io.Writer) error {
	id := c.conn.broker.nextID()
	copied := make(chan error, 1)
	go c.conn.broker.serveCopy(id, dst, nil, copied)
	if err := c.call("Communicator.Download", &CommunicatorDownloadArgs{Path: src, WriterStreamId: id}); err != nil {
		return err
	}
	return <-copied
}

func (c *communicatorClient) UploadDir(dst, src string, exclude []string) error {
	return c.call("Communicator.UploadDir", &CommunicatorUploadDirArgs{Dst: dst, Src: src, Exclude: exclude})
}

func (c *communicatorClient) DownloadDir(src, dst string, exclude []string) error {
	return c.call("Communicator.DownloadDir", &CommunicatorUploadDirArgs{Dst: dst, Src: src, Exclude: exclude})
}

func (c *communicatorClient) call(method string, args any) error {
	return callFailed(method, c.client.Call(method, args, nil), nil, c.conn.config.Explain)
}

// streamSet holds the streams of one command, to close them together.
type streamSet struct {
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func (s *streamSet) add(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return
	}
	s.conns = append(s.conns, c)
}

func (s *streamSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, c := range s.conns {
		c.Close()
	}
}

// serve accepts the stream for id and copies as broker.serveCopy does,
// keeping the stream in the set meanwhile; wg is told when it is done.
func (s *streamSet) serve(b *broker, id uint32, dst io.Writer, src io.Reader, wg *sync.WaitGroup) {
	if wg != nil {
		defer wg.Done()
	}
	c, err := b.accept(id)
	if err != nil {
		return
	}
	s.add(c)
	defer c.Close()
	if dst != nil {
		io.Copy(dst, c)
	} else {
		io.Copy(c, src)
	}
}
