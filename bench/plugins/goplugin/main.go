// Command goplugin is the benchmark's plugin for hashicorp/go-plugin (net/rpc).
package main

import (
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/packer-classic/packer/bench/internal/echo"
)

func main() {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: echo.Handshake,
		Plugins:         map[string]goplugin.Plugin{"echo": &echo.RPCPlugin{Impl: &echo.Plugin{}}},
	})
}
