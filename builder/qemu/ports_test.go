package qemu

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestFreePort_skipsBusyAndAvoidedPorts(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	if _, err := freePort(port, port, nil); err == nil || !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("the only port is taken: want an error naming the range, got %v", err)
	}
	busy.Close()
	if got, err := freePort(port, port, nil); err != nil || got != port {
		t.Errorf("the port is free again: got %d, %v", got, err)
	}
	if _, err := freePort(port, port, map[int]bool{port: true}); err == nil {
		t.Error("an avoided port was returned")
	}
}
