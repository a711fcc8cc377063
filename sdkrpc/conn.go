package sdkrpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/rpc"
	"time"

	"github.com/hashicorp/yamux"

	"github.com/packer-classic/packer/packer"
)

// Config is what a Conn is made with.
type Config struct {
	// Logger receives what goes wrong on the connection; nil discards.
	Logger *log.Logger
	// Explain, when set, turns the error of a call the connection broke
	// under (the plugin process died) into one saying what became of the
	// process; package plugin/sdk sets it.
	Explain func(error) error
}

// Conn is the core's end of one SDK plugin process's connection: the yamux
// session (the core is its client), the broker, and the net/rpc client of
// the main stream (id 0), which serves the one component the process was
// started for.
type Conn struct {
	config  Config
	session *yamux.Session
	broker  *broker
	main    *rpc.Client
}

// NewConn starts the session on rwc and dials the main stream.
func NewConn(rwc io.ReadWriteCloser, config Config) (*Conn, error) {
	if config.Logger == nil {
		config.Logger = log.New(io.Discard, "", 0)
	}
	yc := yamux.DefaultConfig()
	yc.LogOutput = nil
	yc.Logger = config.Logger
	// Keep-alives as the SDK has them on both sides; a write that waits
	// longer than this for the plugin to read means it is stuck.
	yc.ConnectionWriteTimeout = 10 * time.Second
	session, err := yamux.Client(rwc, yc)
	if err != nil {
		return nil, fmt.Errorf("starting yamux: %w", err)
	}
	c := &Conn{config: config, session: session, broker: newBroker(session)}
	if c.main, err = c.broker.dialClient(0); err != nil {
		session.Close()
		return nil, fmt.Errorf("opening the main stream: %w", err)
	}
	return c, nil
}

// Close ends the connection, which a plugin answers by exiting.
func (c *Conn) Close() error {
	c.main.Close()
	return c.session.Close()
}

// Closed is closed when the connection is gone.
func (c *Conn) Closed() <-chan struct{} { return c.session.CloseChan() }

// call makes a call on the main stream.
func (c *Conn) call(method string, args, reply any) error {
	return c.main.Call(method, args, reply)
}

// cancelOnDone calls method (X.Cancel) when ctx ends before stop is
// called: how the SDK carries a cancelled context across.
func (c *Conn) cancelOnDone(ctx context.Context, method string) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			if err := c.call(method, nil, nil); err != nil {
				c.config.Logger.Printf("sdk plugin: %s: %v", method, err)
			}
		case <-done:
		}
	}()
	return func() { close(done) }
}

// abandonAfterDeadline gives up on a call still running packer.CancelGrace
// after ctx's deadline passed (a provisioner's "timeout"), as packer does
// for its own plugins: it closes the connection, which ends the call and
// the plugin. It reports, once the call has returned (stop), whether it
// gave up on it.
func (c *Conn) abandonAfterDeadline(ctx context.Context) (stop func() bool) {
	done := make(chan struct{})
	abandoned := make(chan bool, 1)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			abandoned <- false
			return
		}
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			abandoned <- false
			return
		}
		timer := time.NewTimer(packer.CancelGrace)
		defer timer.Stop()
		select {
		case <-done:
			abandoned <- false
		case <-timer.C:
			c.Close()
			abandoned <- true
		}
	}()
	return func() bool {
		close(done)
		return <-abandoned
	}
}

// abandonedError is the error of a call given up on past its deadline.
func abandonedError(method string) error {
	return fmt.Errorf("%s had not returned %s after its deadline passed: the plugin ignores its cancel, and was stopped: %w", method, packer.CancelGrace, context.DeadlineExceeded)
}
