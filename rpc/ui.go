package rpc

import "github.com/packer-classic/packer/packer"

// packer.Ui on the wire. Its methods but Ask have no error to return: a
// failed call goes to the log.
var uiInterface = declare(wireInterface{
	id:   6,
	name: "Ui",
	serve: func(s *session, obj any) any {
		if u, ok := obj.(packer.Ui); ok {
			return &uiServer{s: s, impl: u}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &uiClient{r} },
	methods: []string{uiAsk, uiSay, uiMessage, uiError, uiMachine},
})

const (
	uiAsk     = "Ui.Ask"
	uiSay     = "Ui.Say"
	uiMessage = "Ui.Message"
	uiError   = "Ui.Error"
	uiMachine = "Ui.Machine"
)

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

// uiClient is a packer.Ui on the other side of the connection.
type uiClient struct{ r *remote }

var _ packer.Ui = (*uiClient)(nil)

func (u *uiClient) Ask(query string) (string, error) {
	var reply UiAskReply
	if err := u.r.call(uiAsk, query, &reply); err != nil {
		return "", err
	}
	return reply.Answer, decodeError(reply.Err)
}

func (u *uiClient) Say(message string)     { u.r.callNoError(uiSay, message, new(bool)) }
func (u *uiClient) Message(message string) { u.r.callNoError(uiMessage, message, new(bool)) }
func (u *uiClient) Error(message string)   { u.r.callNoError(uiError, message, new(bool)) }

func (u *uiClient) Machine(kind string, args ...string) {
	u.r.callNoError(uiMachine, &UiMachineArgs{Kind: kind, Args: args}, new(bool))
}

func (u *uiClient) remoteRef() *remote { return u.r }

// uiServer serves a packer.Ui to the other side.
type uiServer struct {
	s    *session
	impl packer.Ui
}

// Ask serves Ui.Ask.
func (u *uiServer) Ask(query string, reply *UiAskReply) error {
	reply.Err = u.s.run(uiAsk, func() error {
		var err error
		reply.Answer, err = u.impl.Ask(query)
		return err
	})
	return nil
}

// Say serves Ui.Say.
func (u *uiServer) Say(message string, _ *bool) error {
	return u.show(uiSay, func() { u.impl.Say(message) })
}

// Message serves Ui.Message.
func (u *uiServer) Message(message string, _ *bool) error {
	return u.show(uiMessage, func() { u.impl.Message(message) })
}

// Error serves Ui.Error.
func (u *uiServer) Error(message string, _ *bool) error {
	return u.show(uiError, func() { u.impl.Error(message) })
}

// Machine serves Ui.Machine.
func (u *uiServer) Machine(args *UiMachineArgs, _ *bool) error {
	return u.show(uiMachine, func() { u.impl.Machine(args.Kind, args.Args...) })
}

func (u *uiServer) show(method string, fn func()) error {
	if we := u.s.run(method, func() error { fn(); return nil }); we != nil {
		return decodeError(we)
	}
	return nil
}
