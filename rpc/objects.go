package rpc

import (
	"fmt"
	"reflect"
	"sync"
)

// References: an argument or result that is an interface (a Ui, Hook,
// Communicator, Artifact) is never copied. The side that holds the object
// registers it under a number and sends a ref; the other side calls it
// through a proxy. A proxy handed back resolves to the original object.

// remoteRef lets a proxy be recognised when it is handed back to its owner.
func (r *remote) remoteRef() *remote { return r }

type proxied interface{ remoteRef() *remote }

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

// resolveAs resolves a reference and checks that it implements T.
func resolveAs[T any](s *session, r ref, iface byte) (T, error) {
	var zero T
	obj, err := s.resolve(r, iface)
	if err != nil || obj == nil {
		return zero, err
	}
	t, ok := obj.(T)
	if !ok {
		return zero, &remoteError{message: "the other side handed back an object of the wrong kind"}
	}
	return t, nil
}
