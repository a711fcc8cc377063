package rpc

import (
	"context"
	"io"
	"net"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// A remote command's exit crosses back as a call: the caller of
// Communicator.Start registers a cmdExitServer for the command and sends
// its ref; the side that runs the command calls RemoteCmd.SetExited on it
// once the command has ended and its output streams are closed.
var remoteCmdInterface = declare(wireInterface{
	id:   10,
	name: "RemoteCmd",
	serve: func(s *session, obj any) any {
		if e, ok := obj.(*cmdExitServer); ok {
			return e
		}
		return nil
	},
	proxy:   func(r *remote) any { return &cmdExitClient{r} },
	methods: []string{remoteCmdSetExited},
})

const remoteCmdSetExited = "RemoteCmd.SetExited"

// commandSet holds the commands this side started on the other and waits
// to hear the end of.
type commandSet struct {
	mu      sync.Mutex
	pending map[*cmdExitServer]struct{}
}

func (c *commandSet) init() { c.pending = make(map[*cmdExitServer]struct{}) }

func (c *commandSet) add(e *cmdExitServer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[e] = struct{}{}
}

func (c *commandSet) remove(e *cmdExitServer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, e)
}

// connectionLost ends every command still running: it exits with
// packer.CmdDisconnect, as a command does when its machine disconnects.
func (c *commandSet) connectionLost() {
	c.mu.Lock()
	pending := c.pending
	c.pending = make(map[*cmdExitServer]struct{})
	c.mu.Unlock()
	for e := range pending {
		go e.end(packer.CmdDisconnect, true)
	}
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

// start registers the command and its copies of stdin and output; the
// returned ids name its data streams on the wire.
func (s *session) startRemoteCmd(ctx context.Context, cmd *packer.RemoteCmd) (*cmdExitServer, CommunicatorStartArgs, error) {
	wc, stopContext := s.exportContext(ctx)
	e := &cmdExitServer{s: s, cmd: cmd, stopContext: stopContext}
	args := CommunicatorStartArgs{Ctx: wc, Command: cmd.Command}
	if cmd.Stdin != nil {
		args.Stdin = s.newDataID()
		stream, err := s.openData(args.Stdin)
		if err != nil {
			stopContext()
			return nil, args, err
		}
		e.stdin = stream
		go func() {
			copyBytes(stream, cmd.Stdin)
			stream.Close()
		}()
	}
	args.Stdout, args.Stderr = s.newDataID(), s.newDataID()
	// The two streams are copied by two goroutines: one writer given for
	// both must see one write at a time.
	stdout, stderr := packer.SyncSharedWriters(cmd.Stdout, cmd.Stderr)
	e.copied.Add(2)
	go e.receive(s.expectData(args.Stdout), stdout)
	go e.receive(s.expectData(args.Stderr), stderr)
	s.commands.add(e)
	args.OnExited = s.export(e)
	e.id = args.OnExited.ID
	return e, args, nil
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
	e.end(status, true)
	return nil
}

// end releases what the command held, once. When it ran, its exit is
// reported after all of its output has been written; a Start that failed
// reports nothing (exited is false).
func (e *cmdExitServer) end(status int, exited bool) {
	e.once.Do(func() {
		if exited {
			e.copied.Wait()
		}
		if e.stdin != nil {
			e.stdin.Close()
		}
		e.stopContext()
		e.s.commands.remove(e)
		e.s.objects.release(e.id)
		if exited {
			e.cmd.SetExited(status)
		}
	})
}

// cmdExitClient tells the caller of Communicator.Start that its command
// exited.
type cmdExitClient struct{ r *remote }

func (e *cmdExitClient) setExited(status int) {
	e.r.callNoError(remoteCmdSetExited, status, new(bool))
}

func (e *cmdExitClient) remoteRef() *remote { return e.r }

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

// copyBufferSize is the buffer of every bulk copy: large, so a transfer
// costs few frames.
const copyBufferSize = 256 << 10

func copyBytes(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, copyBufferSize)
	return io.CopyBuffer(dst, src, buf)
}
