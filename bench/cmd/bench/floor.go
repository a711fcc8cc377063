package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os/exec"
	"strings"
)

// floorSubject is two bare Go processes: exec, one line with the address, a
// TCP dial, plain net/rpc; streams are raw TCP connections.
type floorSubject struct{ path string }

func (f *floorSubject) Name() string { return "floor" }

func (f *floorSubject) Start() (handle, error) {
	cmd := exec.Command(f.path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("reading the address: %w", err)
	}
	addr := strings.TrimSpace(line)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	h := &floorHandle{cmd: cmd, addr: addr, client: rpc.NewClient(conn)}
	if err := h.Call(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

type floorHandle struct {
	cmd    *exec.Cmd
	addr   string
	client *rpc.Client
}

func (h *floorHandle) Call() error {
	var out string
	return h.client.Call("Plugin.Echo", "ping", &out)
}

// Callback: the floor has no callbacks; its figure is two round trips, which
// is what the table compares a callback with. Measured here as two calls.
func (h *floorHandle) Callback() error {
	if err := h.Call(); err != nil {
		return err
	}
	return h.Call()
}

func (h *floorHandle) CallBytes(b []byte) error {
	var n int
	return h.client.Call("Plugin.Size", b, &n)
}

func (h *floorHandle) Stream(data []byte, size int64) error {
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	for left := size; left > 0; {
		chunk := data
		if int64(len(chunk)) > left {
			chunk = chunk[:left]
		}
		n, err := conn.Write(chunk)
		if err != nil {
			return err
		}
		left -= int64(n)
	}
	conn.(*net.TCPConn).CloseWrite()
	ack := make([]byte, 1)
	_, err = io.ReadFull(conn, ack)
	return err
}

func (h *floorHandle) Pid() int { return h.cmd.Process.Pid }

func (h *floorHandle) Close() {
	h.client.Close()
	h.cmd.Process.Kill()
	h.cmd.Wait()
}
