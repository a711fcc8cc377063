package rpc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/rpc"
	"sync"

	"github.com/hashicorp/yamux"
)

// session is one end of a multiplexed connection. Each concern it holds has
// a file of its own: the objects it serves (objects.go), its proxies to the
// other side's (remote.go), data streams (data.go), contexts in flight
// (context.go), the control service (control.go) and calls in progress
// (calls.go); this file starts the session, accepts streams and ends it.
type session struct {
	mux    *yamux.Session
	config Config
	logger *log.Logger

	// closed is done when the connection is gone; every wait selects on it.
	closed    context.Context
	closeOnce sync.Once
	markGone  context.CancelFunc

	objects  registry
	proxies  proxyTable
	data     dataStreams
	contexts contextTable
	commands commandSet // remote commands whose exit this side waits for
	// control is the other side's control service.
	control *remote
	// inflight counts served calls still running, so that a plugin whose
	// connection is gone lets them wind down before it exits.
	inflight callCounter
}

func newSession(conn io.ReadWriteCloser, cfg *Config, client bool) (*session, error) {
	s := &session{}
	if cfg != nil {
		s.config = *cfg
	}
	s.logger = s.config.Logger
	if s.logger == nil {
		s.logger = log.New(io.Discard, "", 0)
	}
	s.objects.init()
	s.proxies.m = make(map[proxyKey]any)
	s.data.init(client)
	s.contexts.init()
	s.commands.init()
	s.control = &remote{s: s, iface: controlInterface.id, id: controlID}

	ymx := yamux.DefaultConfig()
	ymx.LogOutput = nil
	ymx.Logger = s.logger
	ymx.MaxStreamWindowSize = streamWindow
	ymx.StreamCloseTimeout = streamCloseTimeout
	var err error
	if client {
		s.mux, err = yamux.Client(coalesce(conn), ymx)
	} else {
		s.mux, err = yamux.Server(coalesce(conn), ymx)
	}
	if err != nil {
		return nil, fmt.Errorf("starting the multiplexer: %w", err)
	}
	s.closed, s.markGone = context.WithCancel(context.Background())
	go func() {
		<-s.mux.CloseChan()
		s.shutdown()
	}()
	return s, nil
}

// shutdown releases everything waiting on the connection once it is gone.
func (s *session) shutdown() {
	s.closeOnce.Do(func() {
		s.markGone()
		s.mux.Close()
		s.contexts.cancelAll()
		s.data.closeAll()
		s.commands.connectionLost()
	})
}

// serve accepts the other side's streams until the connection closes.
func (s *session) serve() {
	for {
		stream, err := s.mux.Accept()
		if err != nil {
			s.shutdown()
			return
		}
		go s.handle(stream)
	}
}

func (s *session) handle(stream net.Conn) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(stream, hdr[:]); err != nil {
		stream.Close()
		return
	}
	id := binary.BigEndian.Uint32(hdr[2:])
	switch hdr[0] {
	case streamObject:
		s.serveObject(stream, hdr[1], id)
	case streamData:
		s.deliverData(id, stream)
	default:
		s.logger.Printf("rpc: closing a stream of unknown kind %q", hdr[0])
		stream.Close()
	}
}

func (s *session) openStream(kind, iface byte, id uint32) (net.Conn, error) {
	stream, err := s.mux.Open()
	if err != nil {
		return nil, s.lost(err)
	}
	var hdr [headerSize]byte
	hdr[0], hdr[1] = kind, iface
	binary.BigEndian.PutUint32(hdr[2:], id)
	if _, err := stream.Write(hdr[:]); err != nil {
		stream.Close()
		return nil, s.lost(err)
	}
	return stream, nil
}

// lost turns a transport failure into ErrConnectionLost when the connection
// is gone, keeping the cause.
func (s *session) lost(err error) error {
	if s.mux.IsClosed() || errors.Is(err, yamux.ErrSessionShutdown) {
		return fmt.Errorf("%w: %v", ErrConnectionLost, err)
	}
	return err
}

// serveObject answers net/rpc calls to one object on one stream until the
// stream or the connection closes.
func (s *session) serveObject(stream net.Conn, iface byte, id uint32) {
	defer stream.Close()
	var obj any = s
	if id != controlID || iface != controlInterface.id {
		obj = s.objects.lookup(id)
	}
	if obj == nil {
		s.logger.Printf("rpc: the other side asked for object %d, which this side does not hold", id)
		return
	}
	i, receiver, err := s.server(iface, obj)
	if err != nil {
		s.logger.Printf("rpc: object %d: %v", id, err)
		return
	}
	server := rpc.NewServer()
	if err := server.RegisterName(i.name, receiver); err != nil {
		s.logger.Printf("rpc: registering %s: %v", i.name, err)
		return
	}
	server.ServeConn(limitMessages(stream))
}
