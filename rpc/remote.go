package rpc

import (
	"context"
	"errors"
	"fmt"
	"net/rpc"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
	"github.com/packer-classic/packer/packer"
)

// remote is the caller's end of one object on the other side: a lazily opened
// stream and the net/rpc client on it, kept for every later call.
type remote struct {
	s     *session
	iface byte
	id    uint32

	mu     sync.Mutex
	client *rpc.Client
}

// proxyTable holds this side's proxies to the other side's objects, one
// per object and interface, so that every call to one object shares its
// stream.
type proxyTable struct {
	mu sync.Mutex
	m  map[proxyKey]any
}

type proxyKey struct {
	iface byte
	id    uint32
}

// proxy returns the proxy for the other side's object.
func (s *session) proxy(iface byte, id uint32) any {
	key := proxyKey{iface, id}
	s.proxies.mu.Lock()
	defer s.proxies.mu.Unlock()
	if p, ok := s.proxies.m[key]; ok {
		return p
	}
	p := wireInterfaces[iface].proxy(&remote{s: s, iface: iface, id: id})
	s.proxies.m[key] = p
	return p
}

func (r *remote) rpcClient() (*rpc.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client != nil {
		return r.client, nil
	}
	stream, err := r.s.openStream(streamObject, r.iface, r.id)
	if err != nil {
		return nil, err
	}
	r.client = rpc.NewClientWithCodec(newClientCodec(limitMessages(stream)))
	return r.client, nil
}

// call makes one call to the object. method is "Builder.Run" and the like;
// errors from the transport are mapped through Config.CallError.
func (r *remote) call(method string, args, reply any) error {
	client, err := r.rpcClient()
	if err == nil {
		err = r.callError(client, method, client.Call(method, args, reply))
	}
	return r.lostError(method, err)
}

// callContext is call for a method that carries ctx to the other side. A
// call whose deadline has passed and that has still not returned
// packer.CancelGrace later is given up on: the component ignores its
// context (a provisioner past its "timeout"), and the caller must not wait
// for it for ever. Config.OnAbandon hears of it. A cancel without a deadline
// (Ctrl-C) is waited out: the component may be cleaning up, and the core
// bounds that wait itself.
func (r *remote) callContext(ctx context.Context, method string, args, reply any) error {
	if ctx == nil {
		ctx = context.Background()
	}
	client, err := r.rpcClient()
	if err != nil {
		return r.lostError(method, err)
	}
	call := client.Go(method, args, reply, make(chan *rpc.Call, 1))
	var expired <-chan time.Time
	for {
		select {
		case <-call.Done:
			return r.lostError(method, r.callError(client, method, call.Error))
		case <-ctx.Done():
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				ctx = context.Background() // cancelled: wait for the call
				continue
			}
			timer := time.NewTimer(r.s.config.abandonAfter())
			defer timer.Stop()
			expired, ctx = timer.C, context.Background()
		case <-expired:
			if r.s.config.OnAbandon != nil {
				r.s.config.OnAbandon(method)
			}
			return fmt.Errorf("%s had not returned %s after its deadline passed: the component ignores its context, and was given up on: %w", method, r.s.config.abandonAfter(), errors.Join(ErrAbandoned, context.DeadlineExceeded))
		}
	}
}

// abandonAfter is how long a call may go on past its deadline.
func (c *Config) abandonAfter() time.Duration {
	if c.deadlineGrace == 0 {
		return packer.CancelGrace
	}
	return c.deadlineGrace
}

// callError maps the error of a finished call: a transport failure or a
// reply that broke the protocol makes the object's stream unusable.
func (r *remote) callError(client *rpc.Client, method string, err error) error {
	if err == nil {
		return nil
	}
	var serverErr rpc.ServerError
	if errors.As(err, &serverErr) {
		return err
	}
	// The stream is unusable: a transport failure, or a reply that broke
	// the protocol (the codec closed the stream).
	r.mu.Lock()
	if r.client == client {
		r.client = nil
	}
	r.mu.Unlock()
	switch {
	case errors.Is(err, errProtocol):
		return fmt.Errorf("%s: %w", method, err)
	case r.s.mux.IsClosed() || errors.Is(err, yamux.ErrSessionShutdown):
		return fmt.Errorf("%w (%v)", ErrConnectionLost, err)
	}
	// The stream died but the connection did not: the other side dropped
	// the object.
	return fmt.Errorf("object %d is no longer served by the other side: %w", r.id, err)
}

// lostError says what happened when the connection was lost during a call.
func (r *remote) lostError(method string, err error) error {
	if !errors.Is(err, ErrConnectionLost) {
		return err
	}
	if r.s.config.CallError != nil {
		return r.s.config.CallError(method, err)
	}
	return fmt.Errorf("%s: %w", method, err)
}

// callNoError is for methods whose interface has no error to return: the
// failure goes to the log.
func (r *remote) callNoError(method string, args, reply any) {
	if err := r.call(method, args, reply); err != nil {
		r.s.logger.Printf("rpc: %s failed: %v", method, err)
	}
}

// callErr makes a call whose reply is only an error.
func (r *remote) callErr(method string, args any) error {
	var reply ErrorReply
	if err := r.call(method, args, &reply); err != nil {
		return err
	}
	return decodeError(reply.Err)
}
