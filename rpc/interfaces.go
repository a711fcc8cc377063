package rpc

import (
	"fmt"
	"sort"

	"github.com/packer-classic/packer/packer"
)

// wireInterface is one interface that crosses a connection. Each is
// declared once, by an entry in the file of that interface (builder.go for
// packer.Builder), which is all that adding one takes: its number on the
// wire, its net/rpc service name, how to serve an object of it and how to
// call one, and the names of its methods.
type wireInterface struct {
	// id is the second byte of an object stream's header (docs/protocol.md).
	id byte
	// name is the net/rpc service name; a method is called as name.Method.
	name string
	// kind, for a component a Dispenser makes, is the kind it is asked for.
	kind packer.Kind
	// serve wraps obj in the net/rpc receiver that serves it, or returns nil
	// when obj does not implement the interface.
	serve func(s *session, obj any) any
	// proxy makes the caller's end of an object of this interface.
	proxy func(r *remote) any
	// methods are the "name.Method" constants the proxy calls, each served
	// by a method of serve's receiver (checked by this package's tests).
	methods []string
}

// wireInterfaces holds every declared interface by id, and byKind those of
// the components a Dispenser makes. Both are filled while the package
// initialises and only read afterwards.
var (
	wireInterfaces = map[byte]*wireInterface{}
	byKind         = map[packer.Kind]*wireInterface{}
)

// declare records an interface; a second declaration of an id or a kind is
// a programming error, caught when the package initialises.
func declare(i wireInterface) *wireInterface {
	if old, ok := wireInterfaces[i.id]; ok {
		panic(fmt.Sprintf("rpc: interfaces %s and %s both declare wire id %d", old.name, i.name, i.id))
	}
	wireInterfaces[i.id] = &i
	if i.kind != "" {
		if old, ok := byKind[i.kind]; ok {
			panic(fmt.Sprintf("rpc: interfaces %s and %s are both kind %s", old.name, i.name, i.kind))
		}
		byKind[i.kind] = &i
	}
	return &i
}

// interfaceOf returns the interface a component of kind implements.
func interfaceOf(kind packer.Kind) (*wireInterface, error) {
	if i, ok := byKind[kind]; ok {
		return i, nil
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	return nil, fmt.Errorf("rpc: no component kind %q; the kinds are %v", kind, kinds)
}

// server wraps obj in the receiver of interface id, saying what is wrong
// when it cannot.
func (s *session) server(id byte, obj any) (*wireInterface, any, error) {
	i, ok := wireInterfaces[id]
	if !ok {
		return nil, nil, fmt.Errorf("unknown interface %d", id)
	}
	receiver := i.serve(s, obj)
	if receiver == nil {
		return nil, nil, fmt.Errorf("a %T is not a %s", obj, i.name)
	}
	return i, receiver, nil
}
