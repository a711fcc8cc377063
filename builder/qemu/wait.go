package qemu

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// forwardPoll is how often the forwarded port is tried while qemu sets it
// up, which takes it a few milliseconds.
const forwardPoll = 10 * time.Millisecond

// waitForForward returns once qemu accepts connections on the forwarded
// port, or an error when qemu exits first.
func waitForForward(ctx context.Context, proc *process, port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	tick := time.NewTicker(forwardPoll)
	defer tick.Stop()
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-proc.exited:
			return proc.exitError()
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Pacing of the wait for the guest's SSH server. qemu's user network
// accepts a connection on the forwarded port at once and only then tries
// the guest; a try made before the guest's network is up is retried by
// qemu at growing intervals, so it may hang for seconds after the server
// is up. So a fresh connection is made every greetingEvery, each waits up
// to greetingWait for the server's greeting (a loaded guest is slow to
// send it), at most greetingInFlight at once, and the first greeting ends
// the wait.
const (
	greetingEvery    = 250 * time.Millisecond
	greetingWait     = 2 * time.Second
	greetingInFlight = int(greetingWait / greetingEvery)
)

// waitForGreeting returns once a connection to addr receives an SSH
// greeting, trying until timeout (ssh_timeout) or ctx ends.
func waitForGreeting(ctx context.Context, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	results := make(chan error, greetingInFlight)
	inFlight := 0
	defer func() {
		cancel()
		for ; inFlight > 0; inFlight-- {
			<-results
		}
	}()
	try := func() {
		inFlight++
		go func() { results <- readGreeting(ctx, addr) }()
	}
	try()
	tick := time.NewTicker(greetingEvery)
	defer tick.Stop()
	last := fmt.Errorf("no try got an answer within %s", greetingWait)
	for {
		select {
		case err := <-results:
			inFlight--
			if err == nil {
				return nil
			}
			last = err
		case <-tick.C:
			if inFlight < greetingInFlight {
				try()
			}
		case <-ctx.Done():
			if context.Cause(ctx) == context.DeadlineExceeded {
				return fmt.Errorf("no SSH server answered on %s within ssh_timeout (%s); the last try: %w", addr, timeout, last)
			}
			return ctx.Err()
		}
	}
}

// readGreeting connects to addr and reads the start of the server's
// greeting, giving up after greetingWait.
func readGreeting(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, greetingWait)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return fmt.Errorf("no SSH greeting: %w", err)
	}
	if string(buf) != "SSH-" {
		return fmt.Errorf("%s answered %q, not an SSH greeting", addr, buf)
	}
	return nil
}
