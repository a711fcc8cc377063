package rpc

import (
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// Each side serves a control service as object 0 (controlID), on one
// stream for the whole connection: the other side's housekeeping.
var controlInterface = declare(wireInterface{
	id:   1,
	name: "Control",
	serve: func(s *session, obj any) any {
		if obj == s {
			return &controlServer{s: s}
		}
		return nil
	},
	proxy:   func(r *remote) any { return r },
	methods: []string{controlCancel, controlDispense},
})

const (
	controlCancel   = "Control.Cancel"
	controlDispense = "Control.Dispense"
)

// Dispenser makes components on request. A plugin that serves several
// components, or a fresh instance of one component for every build of a run,
// serves a Dispenser instead of a single component; the core then asks for
// each instance with Client.Dispense, and each instance gets its own stream.
type Dispenser interface {
	// Dispense returns a new component of the given kind and name; the
	// name is what the plugin registered it under.
	Dispense(kind packer.Kind, name string) (any, error)
}

// ControlDispenseArgs is the wire form of a request for a component.
type ControlDispenseArgs struct {
	Kind, Name string
}

// ControlDispenseReply is the wire form of a dispensed component.
type ControlDispenseReply struct {
	Component ref
	Err       *wireError
}

// Dispense asks a plugin that serves a Dispenser for a new component and
// returns it as the interface of its kind (a packer.Builder for
// packer.KindBuilder, and so on).
func (c *Client) Dispense(kind packer.Kind, name string) (any, error) {
	i, err := interfaceOf(kind)
	if err != nil {
		return nil, err
	}
	var reply ControlDispenseReply
	if err := c.s.control.call(controlDispense, &ControlDispenseArgs{Kind: string(kind), Name: name}, &reply); err != nil {
		return nil, err
	}
	if err := decodeError(reply.Err); err != nil {
		return nil, err
	}
	return c.s.resolve(reply.Component, i.id)
}

// controlServer is each side's service for the other side's housekeeping.
type controlServer struct{ s *session }

// Cancel cancels the context the other side exported as id.
func (c *controlServer) Cancel(id uint64, _ *bool) error {
	c.s.contexts.cancel(id)
	return nil
}

// Dispense serves Client.Dispense.
func (c *controlServer) Dispense(args *ControlDispenseArgs, reply *ControlDispenseReply) error {
	reply.Err = c.s.run(controlDispense, func() error {
		kind := packer.Kind(args.Kind)
		dispenser, ok := c.s.objects.lookup(rootID).(Dispenser)
		if !ok {
			return fmt.Errorf("this plugin serves a single component and cannot dispense a %s named %q", kind, args.Name)
		}
		i, err := interfaceOf(kind)
		if err != nil {
			return err
		}
		component, err := dispenser.Dispense(kind, args.Name)
		if err != nil {
			return err
		}
		if _, _, err := c.s.server(i.id, component); err != nil {
			return fmt.Errorf("the plugin dispensed the wrong thing for %s %q: %w", kind, args.Name, err)
		}
		reply.Component = c.s.export(component)
		return nil
	})
	return nil
}
