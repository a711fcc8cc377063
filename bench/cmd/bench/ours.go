package main

import (
	"context"
	"io"
	"os/exec"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
)

// oursSubject is this framework: package plugin's process handling and
// package rpc's net/rpc over yamux, over its default loopback TCP or, with
// transport "unix", over a unix socket (PACKER_PLUGIN_TRANSPORT=unix).
type oursSubject struct{ path, transport string }

func (o *oursSubject) Name() string {
	if o.transport == "unix" {
		return "ours (unix)"
	}
	return "ours"
}

func (o *oursSubject) Start() (handle, error) {
	client := plugin.NewClient(&plugin.ClientConfig{Cmd: exec.Command(o.path), Name: "bench-ours", Transport: o.transport})
	hook, err := client.Dispense(packer.KindHook, "bench")
	if err != nil {
		client.Kill()
		return nil, err
	}
	h := &oursHandle{client: client, hook: hook.(packer.Hook)}
	if err := h.Call(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

type oursHandle struct {
	client  *plugin.Client
	hook    packer.Hook
	comm    packer.Communicator
	payload string
}

var background = context.Background()

func (h *oursHandle) Call() error { return h.hook.Run(background, "ping", nil, nil, nil) }

func (h *oursHandle) Callback() error {
	return h.hook.Run(background, "callback", answerUi{}, nil, nil)
}

// CallBytes sends b as the hook's name, the one string argument a packer
// interface has; the string is made once, outside the timing, as the other
// subjects' payloads are.
func (h *oursHandle) CallBytes(b []byte) error {
	if len(h.payload) != len(b) {
		h.payload = string(b)
	}
	return h.hook.Run(background, h.payload, nil, nil, nil)
}

// Stream uploads through the communicator a builder in the plugin lends the
// core, as a provisioner's upload does.
func (h *oursHandle) Stream(data []byte, size int64) error {
	if h.comm == nil {
		b, err := h.client.Dispense(packer.KindBuilder, "bench")
		if err != nil {
			return err
		}
		grab := grabHook{}
		if _, err := b.(packer.Builder).Run(background, answerUi{}, &grab); err != nil {
			return err
		}
		h.comm = grab.comm
	}
	return h.comm.Upload("x", &repeatReader{data: data, left: size}, nil)
}

func (h *oursHandle) Pid() int { return h.client.Pid() }
func (h *oursHandle) Close()   { h.client.Kill() }

// grabHook keeps the communicator the builder hands to the provision hook.
type grabHook struct{ comm packer.Communicator }

func (g *grabHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	g.comm = comm
	return nil
}

type answerUi struct{}

func (answerUi) Ask(q string) (string, error) { return q, nil }
func (answerUi) Say(string)                   {}
func (answerUi) Message(string)               {}
func (answerUi) Error(string)                 {}
func (answerUi) Machine(string, ...string)    {}

// repeatReader yields data over and over until left bytes are read.
type repeatReader struct {
	data []byte
	left int64
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	chunk := r.data[r.off:]
	if int64(len(chunk)) > r.left {
		chunk = chunk[:r.left]
	}
	n := copy(p, chunk)
	r.off = (r.off + n) % len(r.data)
	r.left -= int64(n)
	return n, nil
}
