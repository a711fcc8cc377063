package rpc

import (
	"context"

	"github.com/packer-classic/packer/packer"
)

// packer.Command on the wire: a packer-command-NAME plugin.
var commandInterface = declare(wireInterface{
	id:   9,
	name: "Command",
	kind: packer.KindCommand,
	serve: func(s *session, obj any) any {
		if c, ok := obj.(packer.Command); ok {
			return &commandServer{s: s, impl: c}
		}
		return nil
	},
	proxy:   func(r *remote) any { return &commandClient{r} },
	methods: []string{commandHelp, commandSynopsis, commandRun},
})

const (
	commandHelp     = "Command.Help"
	commandSynopsis = "Command.Synopsis"
	commandRun      = "Command.Run"
)

// commandClient is a packer.Command on the other side of the connection.
type commandClient struct{ r *remote }

var _ packer.Command = (*commandClient)(nil)

// CommandRunArgs is the wire form of Command.Run's arguments.
type CommandRunArgs struct {
	Ctx  wireContext
	Ui   ref
	Args []string
}

// CommandRunReply is the wire form of Command.Run's result.
type CommandRunReply struct {
	ExitCode int
	Err      *wireError
}

func (c *commandClient) Help() string {
	var help string
	c.r.callNoError(commandHelp, false, &help)
	return help
}

func (c *commandClient) Synopsis() string {
	var synopsis string
	c.r.callNoError(commandSynopsis, false, &synopsis)
	return synopsis
}

func (c *commandClient) Run(ctx context.Context, ui packer.Ui, args []string) int {
	wc, stop := c.r.s.exportContext(ctx)
	defer stop()
	var reply CommandRunReply
	if err := c.r.callContext(ctx, commandRun, &CommandRunArgs{Ctx: wc, Ui: c.r.s.export(ui), Args: args}, &reply); err != nil {
		ui.Error(err.Error())
		return 1
	}
	if err := decodeError(reply.Err); err != nil {
		ui.Error(err.Error())
		return 1
	}
	return reply.ExitCode
}

func (c *commandClient) remoteRef() *remote { return c.r }

// commandServer serves a packer.Command to the other side.
type commandServer struct {
	s    *session
	impl packer.Command
}

// Help serves Command.Help.
func (c *commandServer) Help(_ bool, reply *string) error {
	return decodeError(c.s.run(commandHelp, func() error { *reply = c.impl.Help(); return nil }))
}

// Synopsis serves Command.Synopsis.
func (c *commandServer) Synopsis(_ bool, reply *string) error {
	return decodeError(c.s.run(commandSynopsis, func() error { *reply = c.impl.Synopsis(); return nil }))
}

// Run serves Command.Run.
func (c *commandServer) Run(args *CommandRunArgs, reply *CommandRunReply) error {
	reply.Err = c.s.run(commandRun, func() error {
		ui, err := resolveAs[packer.Ui](c.s, args.Ui, uiInterface.id)
		if err != nil {
			return err
		}
		ctx, done := c.s.importContext(args.Ctx)
		defer done()
		reply.ExitCode = c.impl.Run(ctx, ui, args.Args)
		return nil
	})
	return nil
}
