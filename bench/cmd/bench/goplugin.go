package main

import (
	"fmt"
	"io"
	"os/exec"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/packer-classic/packer/bench/internal/echo"
)

// goPluginSubject is hashicorp/go-plugin with its net/rpc protocol, as
// classic Packer used it.
// Its plugin listens on a unix socket (go-plugin's default outside
// Windows), or, with name "go-plugin-tcp", on loopback TCP as ours does.
type goPluginSubject struct{ path, name string }

func (g *goPluginSubject) Name() string { return g.name }

func (g *goPluginSubject) Start() (handle, error) {
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  echo.Handshake,
		Plugins:          map[string]goplugin.Plugin{"echo": &echo.RPCPlugin{}},
		Cmd:              exec.Command(g.path),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolNetRPC},
		Logger:           hclog.NewNullLogger(),
		Stderr:           io.Discard,
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, err
	}
	raw, err := rpcClient.Dispense("echo")
	if err != nil {
		client.Kill()
		return nil, err
	}
	h := &goPluginHandle{client: client, echo: raw.(*echo.Client)}
	if err := h.Call(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

type goPluginHandle struct {
	client *goplugin.Client
	echo   *echo.Client
}

func (h *goPluginHandle) Call() error {
	_, err := h.echo.Echo("ping")
	return err
}

func (h *goPluginHandle) Callback() error {
	out, err := h.echo.Callback("q")
	if err == nil && out != "q" {
		err = fmt.Errorf("callback answered %q", out)
	}
	return err
}

func (h *goPluginHandle) CallBytes(b []byte) error {
	_, err := h.echo.Size(b)
	return err
}

func (h *goPluginHandle) Stream(data []byte, size int64) error {
	n, err := h.echo.Drain(data, size)
	if err == nil && n != size {
		err = fmt.Errorf("plugin received %d bytes of %d", n, size)
	}
	return err
}

func (h *goPluginHandle) Pid() int {
	return h.client.ReattachConfig().Pid
}

func (h *goPluginHandle) Close() { h.client.Kill() }
