package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os/exec"
	"strings"

	"github.com/hashicorp/yamux"
)

// yamuxFloorSubject is the floor of the fixed design: two bare processes,
// one TCP connection, one yamux session, plain net/rpc on its streams.
type yamuxFloorSubject struct{ path string }

func (y *yamuxFloorSubject) Name() string { return "yamux floor" }

func (y *yamuxFloorSubject) Start() (handle, error) {
	cmd := exec.Command(y.path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &yamuxFloorHandle{cmd: cmd}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("reading the address: %w", err)
	}
	conn, err := net.Dial("tcp", strings.TrimSpace(line))
	if err != nil {
		h.Close()
		return nil, err
	}
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = io.Discard
	cfg.MaxStreamWindowSize = 4 << 20
	if h.mux, err = yamux.Client(conn, cfg); err != nil {
		h.Close()
		return nil, err
	}
	calls, err := h.mux.Open()
	if err != nil {
		h.Close()
		return nil, err
	}
	h.client = rpc.NewClient(calls)
	go func() {
		// The plugin's callback stream: the host's Ask.
		s, err := h.mux.Accept()
		if err != nil {
			return
		}
		server := rpc.NewServer()
		server.RegisterName("Host", asker{})
		server.ServeConn(s)
	}()
	if err := h.Call(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

type asker struct{}

// Ask answers the plugin's callback.
func (asker) Ask(q string, out *string) error { *out = q; return nil }

type yamuxFloorHandle struct {
	cmd    *exec.Cmd
	mux    *yamux.Session
	client *rpc.Client
}

func (h *yamuxFloorHandle) Call() error {
	var out string
	return h.client.Call("Plugin.Echo", "ping", &out)
}

func (h *yamuxFloorHandle) Callback() error {
	var out string
	err := h.client.Call("Plugin.Callback", "q", &out)
	if err == nil && out != "q" {
		err = fmt.Errorf("callback answered %q", out)
	}
	return err
}

func (h *yamuxFloorHandle) CallBytes(b []byte) error {
	var n int
	return h.client.Call("Plugin.Size", b, &n)
}

func (h *yamuxFloorHandle) Stream(data []byte, size int64) error {
	s, err := h.mux.Open()
	if err != nil {
		return err
	}
	for left := size; left > 0; {
		chunk := data
		if int64(len(chunk)) > left {
			chunk = chunk[:left]
		}
		n, err := s.Write(chunk)
		if err != nil {
			return err
		}
		left -= int64(n)
	}
	s.Close() // a half-close: the ack still comes back
	ack := make([]byte, 1)
	_, err = io.ReadFull(s, ack)
	return err
}

func (h *yamuxFloorHandle) Pid() int { return h.cmd.Process.Pid }

func (h *yamuxFloorHandle) Close() {
	if h.client != nil {
		h.client.Close()
	}
	if h.mux != nil {
		h.mux.Close()
	}
	h.cmd.Process.Kill()
	h.cmd.Wait()
}
