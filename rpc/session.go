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
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
	"github.com/packer-classic/packer/packer"
)

// Config tunes one end of a connection. The zero value is ready to use.
type Config struct {
	// Logger receives diagnostics: panics with their stacks, and failed calls
	// that have no error to return (Ui.Say, Artifact.Id). Nil discards them.
	Logger *log.Logger

	// CallError, when set, is given every error that means the connection
	// was lost during a call, with the method's name ("Builder.Run"); what
	// it returns is what the caller sees. Package plugin uses it to say that
	// the plugin process exited, with its exit status.
	CallError func(method string, err error) error

	// DeadlineGrace is how long a call whose context's deadline has passed
	// may go on before the caller gives up on it (see ErrAbandoned). Zero
	// means packer.CancelGrace.
	DeadlineGrace time.Duration

	// OnAbandon, when set, is told of every call given up on that way, with
	// the method's name: the component behind it ignores its context.
	// Package plugin kills the plugin process that serves it.
	OnAbandon func(method string)

	// OnPanic, when set, is told of every panic recovered in a method served
	// on this end, before the panic is returned to the caller as an error.
	OnPanic func(method string, value any, stack []byte)

	// ShutdownGrace bounds how long Serve waits, once the connection is
	// gone, for calls still running to return (their contexts are
	// cancelled, so components clean up: kill their commands, remove
	// temporary files). Zero means 5s.
	ShutdownGrace time.Duration

	// StreamWindow is the largest receive window of a stream in bytes: the
	// amount of data in flight before the sender waits. Larger windows move
	// bulk data faster over a fast link. Zero means 4 MiB.
	StreamWindow uint32
}

// ErrConnectionLost is the error (tested with errors.Is) of a call that could
// not complete because the connection to the other side closed.
var ErrConnectionLost = errors.New("connection to the plugin was lost")

// ErrAbandoned is the error (tested with errors.Is, together with
// context.DeadlineExceeded) of a call given up on because it went on past
// its context's deadline by Config.DeadlineGrace.
var ErrAbandoned = errors.New("the call was abandoned")

// Stream kinds, the first byte every stream starts with.
const (
	streamObject byte = 'o' // net/rpc calls to one registered object
	streamData   byte = 'd' // raw bytes of one upload, download or stdio pipe
)

// Interfaces an object stream can serve, the second byte of its header.
const (
	ifaceControl byte = iota + 1
	ifaceBuilder
	ifaceProvisioner
	ifacePostProcessor
	ifaceHook
	ifaceUi
	ifaceArtifact
	ifaceCommunicator
	ifaceCommand
	ifaceCmdExit
)

// Well-known object numbers.
const (
	controlID uint32 = 0 // each side's control service (cancellation)
	rootID    uint32 = 1 // the component a plugin serves
)

const headerSize = 6 // kind, interface, object or data id

// session is one end of a multiplexed connection: the objects it serves, the
// proxies it holds to the other side's objects, and the data streams and
// contexts in flight.
type session struct {
	mux    *yamux.Session
	config Config
	logger *log.Logger

	// closed is done when the connection is gone; every wait selects on it.
	closed    context.Context
	closeOnce sync.Once
	markGone  context.CancelFunc

	objects registry

	// control is the other side's control service, one stream for the
	// whole connection (dispensing, cancelling).
	control *remote

	proxiesMu sync.Mutex
	proxies   map[proxyKey]any

	dataMu      sync.Mutex
	nextData    uint32
	dataWaiting map[uint32]chan net.Conn
	dataArrived map[uint32]net.Conn

	nextContext atomic.Uint64
	contextsMu  sync.Mutex
	contexts    map[uint64]context.CancelFunc
	cancelled   map[uint64]bool // cancels that arrived before their call

	pendingMu sync.Mutex
	pending   map[*cmdExitServer]struct{}

	// inflight counts served calls still running, so that a plugin whose
	// connection is gone lets them wind down before it exits.
	inflight callCounter
}

// callCounter counts calls in progress and lets one wait for none.
type callCounter struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero, if someone waits
}

func (c *callCounter) begin() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *callCounter) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// waitIdle waits until no call is in progress, or timeout; it reports
// whether all calls ended.
func (c *callCounter) waitIdle(timeout time.Duration) bool {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return true
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-idle:
		return true
	case <-timer.C:
		return false
	}
}

type proxyKey struct {
	iface byte
	id    uint32
}

func newSession(conn io.ReadWriteCloser, cfg *Config, client bool) (*session, error) {
	s := &session{
		proxies:     make(map[proxyKey]any),
		dataWaiting: make(map[uint32]chan net.Conn),
		dataArrived: make(map[uint32]net.Conn),
		contexts:    make(map[uint64]context.CancelFunc),
		cancelled:   make(map[uint64]bool),
		pending:     make(map[*cmdExitServer]struct{}),
	}
	if cfg != nil {
		s.config = *cfg
	}
	s.logger = s.config.Logger
	if s.logger == nil {
		s.logger = log.New(io.Discard, "", 0)
	}
	s.objects.init()
	s.control = &remote{s: s, iface: ifaceControl, id: controlID}
	// Data ids are allocated by both sides; odd on the client, even on the
	// server, so an upload into this side never collides with a download.
	if client {
		s.nextData = 1
	} else {
		s.nextData = 2
	}

	ymx := yamux.DefaultConfig()
	ymx.LogOutput = nil
	ymx.Logger = s.logger
	ymx.MaxStreamWindowSize = s.config.StreamWindow
	if ymx.MaxStreamWindowSize == 0 {
		ymx.MaxStreamWindowSize = 4 << 20
	}
	// Streams are always closed by both ends; the close timeout only guards
	// against a misbehaving peer.
	ymx.StreamCloseTimeout = time.Minute
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

		s.contextsMu.Lock()
		for id, cancel := range s.contexts {
			cancel()
			delete(s.contexts, id)
		}
		s.contextsMu.Unlock()

		s.dataMu.Lock()
		for id, conn := range s.dataArrived {
			conn.Close()
			delete(s.dataArrived, id)
		}
		s.dataMu.Unlock()

		s.pendingMu.Lock()
		pending := s.pending
		s.pending = make(map[*cmdExitServer]struct{})
		s.pendingMu.Unlock()
		for cmd := range pending {
			cmd.connectionLost()
		}
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
	var obj any
	if id == controlID && iface == ifaceControl {
		obj = s
	} else {
		obj = s.objects.lookup(id)
	}
	if obj == nil {
		s.logger.Printf("rpc: the other side asked for object %d, which this side does not hold", id)
		return
	}
	name, receiver, err := s.newServer(iface, obj)
	if err != nil {
		s.logger.Printf("rpc: object %d: %v", id, err)
		return
	}
	server := rpc.NewServer()
	if err := server.RegisterName(name, receiver); err != nil {
		s.logger.Printf("rpc: registering %s: %v", name, err)
		return
	}
	server.ServeConn(limitMessages(stream))
}

// newServer wraps obj in the net/rpc receiver for one interface.
func (s *session) newServer(iface byte, obj any) (string, any, error) {
	wrong := func(want string) (string, any, error) {
		return "", nil, fmt.Errorf("a %T is not a %s", obj, want)
	}
	switch iface {
	case ifaceControl:
		return "Control", &controlServer{s: s}, nil
	case ifaceBuilder:
		if b, ok := obj.(packer.Builder); ok {
			return "Builder", &builderServer{s: s, impl: b}, nil
		}
		return wrong("packer.Builder")
	case ifaceProvisioner:
		if p, ok := obj.(packer.Provisioner); ok {
			return "Provisioner", &provisionerServer{s: s, impl: p}, nil
		}
		return wrong("packer.Provisioner")
	case ifacePostProcessor:
		if p, ok := obj.(packer.PostProcessor); ok {
			return "PostProcessor", &postProcessorServer{s: s, impl: p}, nil
		}
		return wrong("packer.PostProcessor")
	case ifaceHook:
		if h, ok := obj.(packer.Hook); ok {
			return "Hook", &hookServer{s: s, impl: h}, nil
		}
		return wrong("packer.Hook")
	case ifaceUi:
		if u, ok := obj.(packer.Ui); ok {
			return "Ui", &uiServer{s: s, impl: u}, nil
		}
		return wrong("packer.Ui")
	case ifaceArtifact:
		if a, ok := obj.(packer.Artifact); ok {
			return "Artifact", &artifactServer{s: s, impl: a}, nil
		}
		return wrong("packer.Artifact")
	case ifaceCommunicator:
		if c, ok := obj.(packer.Communicator); ok {
			return "Communicator", &communicatorServer{s: s, impl: c}, nil
		}
		return wrong("packer.Communicator")
	case ifaceCommand:
		if c, ok := obj.(packer.Command); ok {
			return "Command", &commandServer{s: s, impl: c}, nil
		}
		return wrong("packer.Command")
	case ifaceCmdExit:
		if c, ok := obj.(*cmdExitServer); ok {
			return "RemoteCmd", c, nil
		}
		return wrong("remote command")
	}
	return "", nil, fmt.Errorf("unknown interface %d", iface)
}

// remote is the caller's end of one object on the other side: a lazily opened
// stream and the net/rpc client on it, kept for every later call.
type remote struct {
	s     *session
	iface byte
	id    uint32

	mu     sync.Mutex
	client *rpc.Client
}

// proxy returns the proxy for the other side's object, one per object.
func (s *session) proxy(iface byte, id uint32) any {
	key := proxyKey{iface, id}
	s.proxiesMu.Lock()
	defer s.proxiesMu.Unlock()
	if p, ok := s.proxies[key]; ok {
		return p
	}
	p := newProxy(&remote{s: s, iface: iface, id: id})
	s.proxies[key] = p
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
// Config.DeadlineGrace later is given up on: the component ignores its
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
			timer := time.NewTimer(r.s.config.deadlineGrace())
			defer timer.Stop()
			expired, ctx = timer.C, context.Background()
		case <-expired:
			if r.s.config.OnAbandon != nil {
				r.s.config.OnAbandon(method)
			}
			return fmt.Errorf("%s had not returned %s after its deadline passed: the component ignores its context, and was given up on: %w", method, r.s.config.deadlineGrace(), errors.Join(ErrAbandoned, context.DeadlineExceeded))
		}
	}
}

func (c *Config) deadlineGrace() time.Duration {
	if c.DeadlineGrace == 0 {
		return packer.CancelGrace
	}
	return c.DeadlineGrace
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

// remoteRef lets a proxy be recognised when it is handed back to its owner.
func (r *remote) remoteRef() *remote { return r }

type proxied interface{ remoteRef() *remote }

// ref is an object reference on the wire.
type ref struct {
	ID   uint32
	Home byte // refNil, refSender or refReceiver
}

const (
	refNil      byte = iota
	refSender        // the object lives with the side that sent the ref
	refReceiver      // the object is the receiver's own, handed back
)

// export makes obj callable by the other side and returns its reference.
func (s *session) export(obj any) ref {
	if isNil(obj) {
		return ref{}
	}
	if p, ok := obj.(proxied); ok && p.remoteRef().s == s {
		return ref{ID: p.remoteRef().id, Home: refReceiver}
	}
	return ref{ID: s.objects.register(obj), Home: refSender}
}

// resolve turns a reference from the other side into an object implementing
// iface: a proxy, or this side's own object handed back.
func (s *session) resolve(r ref, iface byte) (any, error) {
	switch r.Home {
	case refNil:
		return nil, nil
	case refSender:
		return s.proxy(iface, r.ID), nil
	case refReceiver:
		obj := s.objects.lookup(r.ID)
		if obj == nil {
			return nil, fmt.Errorf("the other side handed back object %d, which this side does not hold", r.ID)
		}
		return obj, nil
	}
	return nil, fmt.Errorf("malformed object reference (home %d)", r.Home)
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// registry holds the objects this side serves, by number. An object passed
// twice keeps its number, so the other side reuses its stream to it.
type registry struct {
	mu    sync.Mutex
	next  uint32
	byID  map[uint32]any
	byKey map[any]uint32
	// holders caches, by type, whether a value can hold an interface.
	holders map[reflect.Type]bool
}

func (r *registry) init() {
	r.next = rootID + 1
	r.byID = make(map[uint32]any)
	r.byKey = make(map[any]uint32)
	r.holders = make(map[reflect.Type]bool)
}

func (r *registry) register(obj any) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	key, dedupe := r.identity(obj)
	if dedupe {
		if id, ok := r.byKey[key]; ok {
			return id
		}
	}
	id := r.next
	r.next++
	r.byID[id] = obj
	if dedupe {
		r.byKey[key] = id
	}
	return id
}

// identity returns the key an object is known by, when it has one: the
// object itself for pointers and for comparable values (a Ui passed by value
// on every call still gets one number, and so one stream). A value of a
// comparable type that holds an incomparable one (an interface field holding
// a slice) has none, and simply gets a new number each time.
// The caller holds r.mu.
func (r *registry) identity(obj any) (key any, ok bool) {
	t := reflect.TypeOf(obj)
	if t == nil || !t.Comparable() {
		return nil, false
	}
	if !holdsInterface(t, r.holders) {
		return obj, true
	}
	return obj, reflect.ValueOf(obj).Comparable()
}

// holdsInterface reports whether a value of type t can hold an interface,
// whose dynamic value decides whether the whole is comparable. The answer is
// cached by type in holders: objects are registered on every call that
// passes one, and walking a type's fields allocates.
func holdsInterface(t reflect.Type, holders map[reflect.Type]bool) bool {
	if known, ok := holders[t]; ok {
		return known
	}
	holds := false
	switch t.Kind() {
	case reflect.Interface:
		holds = true
	case reflect.Array:
		holds = holdsInterface(t.Elem(), holders)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsInterface(t.Field(i).Type, holders) {
				holds = true
				break
			}
		}
	}
	holders[t] = holds
	return holds
}

func (r *registry) registerAt(id uint32, obj any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[id] = obj
}

func (r *registry) release(id uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if obj, ok := r.byID[id]; ok {
		delete(r.byID, id)
		if key, ok := r.identity(obj); ok {
			delete(r.byKey, key)
		}
	}
}

func (r *registry) lookup(id uint32) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// Data streams.

func (s *session) newDataID() uint32 {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	id := s.nextData
	s.nextData += 2
	return id
}

// openData opens the data stream the other side waits for under id.
func (s *session) openData(id uint32) (net.Conn, error) {
	return s.openStream(streamData, 0, id)
}

// expectData returns a channel that yields the data stream the other side
// opens under id, or is closed if the connection goes first.
func (s *session) expectData(id uint32) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	s.dataMu.Lock()
	if conn, ok := s.dataArrived[id]; ok {
		delete(s.dataArrived, id)
		ch <- conn
	} else {
		s.dataWaiting[id] = ch
	}
	s.dataMu.Unlock()
	return ch
}

// awaitData waits for the data stream id.
func (s *session) awaitData(id uint32) (net.Conn, error) {
	select {
	case conn := <-s.expectData(id):
		return conn, nil
	case <-s.closed.Done():
		s.dataMu.Lock()
		delete(s.dataWaiting, id)
		s.dataMu.Unlock()
		return nil, ErrConnectionLost
	}
}

func (s *session) deliverData(id uint32, conn net.Conn) {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	if ch, ok := s.dataWaiting[id]; ok {
		delete(s.dataWaiting, id)
		ch <- conn
		return
	}
	s.dataArrived[id] = conn
}

// Contexts.

// wireContext is a context on the wire: a number the caller cancels it by,
// and its deadline.
type wireContext struct {
	ID       uint64
	Deadline time.Time
	Done     bool // already cancelled when the call was made
}

// exportContext prepares ctx for a call. The returned stop must be called
// when the callee no longer uses the context (usually when the call returns).
func (s *session) exportContext(ctx context.Context) (wireContext, func()) {
	if ctx == nil || ctx.Done() == nil {
		return wireContext{}, func() {}
	}
	wc := wireContext{ID: s.nextContext.Add(1)}
	wc.Deadline, _ = ctx.Deadline()
	if ctx.Err() != nil {
		wc.Done = true
		return wc, func() {}
	}
	stop := make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case <-ctx.Done():
			_ = s.control.call("Control.Cancel", wc.ID, new(bool))
		case <-stop:
		case <-s.closed.Done():
		}
	}()
	return wc, func() { once.Do(func() { close(stop) }) }
}

// importContext makes the callee's context for a call. done must be called
// when the call no longer needs it.
func (s *session) importContext(wc wireContext) (context.Context, func()) {
	ctx := s.closed
	var cancelDeadline context.CancelFunc = func() {}
	if !wc.Deadline.IsZero() {
		ctx, cancelDeadline = context.WithDeadline(ctx, wc.Deadline)
	}
	// Derived from the session's context: a lost connection cancels the
	// work the other side asked for.
	ctx, cancel := context.WithCancel(ctx)
	if wc.Done {
		cancel()
	}
	if wc.ID != 0 && !wc.Done {
		s.contextsMu.Lock()
		if s.cancelled[wc.ID] {
			delete(s.cancelled, wc.ID)
			cancel()
		} else {
			s.contexts[wc.ID] = cancel
		}
		s.contextsMu.Unlock()
	}
	return ctx, func() {
		if wc.ID != 0 {
			s.contextsMu.Lock()
			delete(s.contexts, wc.ID)
			s.contextsMu.Unlock()
		}
		cancel()
		cancelDeadline()
	}
}

// maxEarlyCancels bounds the cancels remembered for calls not yet seen.
const maxEarlyCancels = 1024

// controlServer is each side's service for the other side's housekeeping.
type controlServer struct{ s *session }

// Cancel cancels the context the other side exported as id.
func (c *controlServer) Cancel(id uint64, _ *bool) error {
	s := c.s
	s.contextsMu.Lock()
	defer s.contextsMu.Unlock()
	if cancel, ok := s.contexts[id]; ok {
		cancel()
		delete(s.contexts, id)
		return nil
	}
	// The cancel overtook its call; remember it for when the call arrives.
	if len(s.cancelled) >= maxEarlyCancels {
		for old := range s.cancelled {
			delete(s.cancelled, old)
			break
		}
	}
	s.cancelled[id] = true
	return nil
}
