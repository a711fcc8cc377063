package qemu

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeForward listens like qemu's port forward: it accepts every connection
// at once, and answers with greeting only from the connection numbered
// answerFrom on (counting from 1), leaving earlier ones hanging as qemu does
// before the guest is up.
// It returns the address and a channel that gets a value per connection.
// The greeting is sent delay after the connection, as a loaded guest would.
func fakeForward(t *testing.T, answerFrom int32, greeting string, delay time.Duration) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	accepted := make(chan struct{}, 100)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
			select {
			case accepted <- struct{}{}:
			default:
			}
			if n.Add(1) >= answerFrom {
				time.AfterFunc(delay, func() { conn.Write([]byte(greeting)) })
			}
		}
	}()
	return l.Addr().String(), accepted
}

func TestWaitForGreeting_aLaterConnectionGetsThroughWhileEarlierOnesHang(t *testing.T) {
	addr, _ := fakeForward(t, 3, "SSH-2.0-test\r\n", 0)
	if err := waitForGreeting(context.Background(), addr, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForGreeting_aGreetingSlowerThanThePacingIsWaitedFor(t *testing.T) {
	addr, _ := fakeForward(t, 1, "SSH-2.0-slow\r\n", 3*greetingEvery)
	if err := waitForGreeting(context.Background(), addr, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForGreeting_timeoutNamesSSHTimeoutAndTheLastTry(t *testing.T) {
	addr, _ := fakeForward(t, 1, "HTTP/1.1 400 Bad Request\r\n", 0)
	err := waitForGreeting(context.Background(), addr, 600*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "ssh_timeout") || !strings.Contains(err.Error(), "not an SSH greeting") {
		t.Fatalf("want an error naming ssh_timeout and what the server said, got %v", err)
	}
}

func TestWaitForGreeting_cancelStopsIt(t *testing.T) {
	addr, accepted := fakeForward(t, 1<<30, "", 0)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-accepted; cancel() }()
	if err := waitForGreeting(ctx, addr, time.Hour); err != context.Canceled {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestWaitForForward_qemuExitingFirstSaysWhatItPrinted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	p, err := startProcess("sh", []string{"-c", "echo 'Could not set up host forwarding rule' >&2; exit 1"}, "fake qemu", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = waitForForward(context.Background(), p, port)
	if err == nil || !strings.Contains(err.Error(), "host forwarding") {
		t.Fatalf("want qemu's own words, got %v", err)
	}
}
