package rpc

import (
	"fmt"
)

// Kinds of component a Dispenser makes.
const (
	KindBuilder       = "builder"
	KindProvisioner   = "provisioner"
	KindPostProcessor = "post-processor"
	KindHook          = "hook"
	KindCommand       = "command"
)

// Dispenser makes components on request. A plugin that serves several
// components, or a fresh instance of one component for every build of a run,
// serves a Dispenser instead of a single component; the core then asks for
// each instance with Client.Dispense, and each instance gets its own stream.
type Dispenser interface {
	// Dispense returns a new component of the given kind (KindBuilder, ...)
	// and name; the name is what the plugin registered it under.
	Dispense(kind, name string) (any, error)
}

var kindInterfaces = map[string]byte{
	KindBuilder:       ifaceBuilder,
	KindProvisioner:   ifaceProvisioner,
	KindPostProcessor: ifacePostProcessor,
	KindHook:          ifaceHook,
	KindCommand:       ifaceCommand,
}

// DispenseArgs is the wire form of a request for a component.
type DispenseArgs struct {
	Kind, Name string
}

// DispenseReply is the wire form of a dispensed component.
type DispenseReply struct {
	Component ref
	Err       *wireError
}

// Dispense asks a plugin that serves a Dispenser for a new component and
// returns it as the interface of its kind (a packer.Builder for
// KindBuilder, and so on).
func (c *Client) Dispense(kind, name string) (any, error) {
	iface, ok := kindInterfaces[kind]
	if !ok {
		return nil, fmt.Errorf("rpc: cannot dispense a %q: the kinds are builder, provisioner, post-processor, hook and command", kind)
	}
	var reply DispenseReply
	if err := c.s.control.call("Control.Dispense", &DispenseArgs{Kind: kind, Name: name}, &reply); err != nil {
		return nil, err
	}
	if err := decodeError(reply.Err); err != nil {
		return nil, err
	}
	return c.s.resolve(reply.Component, iface)
}

// Dispense serves Client.Dispense.
func (c *controlServer) Dispense(args *DispenseArgs, reply *DispenseReply) error {
	reply.Err = c.s.run("Control.Dispense", func() error {
		dispenser, ok := c.s.objects.lookup(rootID).(Dispenser)
		if !ok {
			return fmt.Errorf("this plugin serves a single component and cannot dispense a %s named %q", args.Kind, args.Name)
		}
		component, err := dispenser.Dispense(args.Kind, args.Name)
		if err != nil {
			return err
		}
		if _, _, err := c.s.newServer(kindInterfaces[args.Kind], component); err != nil {
			return fmt.Errorf("the plugin dispensed the wrong thing for %s %q: %w", args.Kind, args.Name, err)
		}
		reply.Component = c.s.export(component)
		return nil
	})
	return nil
}
