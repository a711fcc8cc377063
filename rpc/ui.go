package rpc

import "github.com/packer-classic/packer/packer"

// uiClient is a packer.Ui on the other side of the connection.
type uiClient struct{ r *remote }

var _ packer.Ui = (*uiClient)(nil)

// UiAskReply is the wire form of Ui.Ask's results.
type UiAskReply struct {
	Answer string
	Err    *wireError
}

// UiMachineArgs is the wire form of Ui.Machine's arguments.
type UiMachineArgs struct {
	Kind string
	Args []string
}

func (u *uiClient) Ask(query string) (string, error) {
	var reply UiAskReply
	if err := u.r.call("Ui.Ask", query, &reply); err != nil {
		return "", err
	}
	return reply.Answer, decodeError(reply.Err)
}

func (u *uiClient) Say(message string)     { u.r.callNoError("Ui.Say", message, new(bool)) }
func (u *uiClient) Message(message string) { u.r.callNoError("Ui.Message", message, new(bool)) }
func (u *uiClient) Error(message string)   { u.r.callNoError("Ui.Error", message, new(bool)) }

func (u *uiClient) Machine(kind string, args ...string) {
	u.r.callNoError("Ui.Machine", &UiMachineArgs{Kind: kind, Args: args}, new(bool))
}

func (u *uiClient) remoteRef() *remote { return u.r }

// uiServer serves a packer.Ui to the other side.
type uiServer struct {
	s    *session
	impl packer.Ui
}

// Ask serves Ui.Ask.
func (u *uiServer) Ask(query string, reply *UiAskReply) error {
	reply.Err = u.s.run("Ui.Ask", func() error {
		var err error
		reply.Answer, err = u.impl.Ask(query)
		return err
	})
	return nil
}

// Say serves Ui.Say.
func (u *uiServer) Say(message string, _ *bool) error {
	return u.show("Ui.Say", func() { u.impl.Say(message) })
}

// Message serves Ui.Message.
func (u *uiServer) Message(message string, _ *bool) error {
	return u.show("Ui.Message", func() { u.impl.Message(message) })
}

// Error serves Ui.Error.
func (u *uiServer) Error(message string, _ *bool) error {
	return u.show("Ui.Error", func() { u.impl.Error(message) })
}

// Machine serves Ui.Machine.
func (u *uiServer) Machine(args *UiMachineArgs, _ *bool) error {
	return u.show("Ui.Machine", func() { u.impl.Machine(args.Kind, args.Args...) })
}

func (u *uiServer) show(method string, fn func()) error {
	if we := u.s.run(method, func() error { fn(); return nil }); we != nil {
		return decodeError(we)
	}
	return nil
}
