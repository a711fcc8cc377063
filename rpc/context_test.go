package rpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/packer-classic/packer/packer"
)

func TestContext_cancelInTheCoreCancelsThePluginsRun(t *testing.T) {
	started := make(chan struct{})
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		close(started)
		<-ctx.Done()
		return nil, fmt.Errorf("stopped: %w", ctx.Err())
	}}, nil, nil)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
}

func TestContext_alreadyCancelledArrivesCancelled(t *testing.T) {
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		return nil, ctx.Err()
	}}, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
}

func TestContext_deadlineTravelsWithTheCall(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Round(time.Millisecond)
	client := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		got, ok := ctx.Deadline()
		if !ok || !got.Equal(deadline) {
			return nil, fmt.Errorf("deadline = %v (%v), want %v", got, ok, deadline)
		}
		return nil, nil
	}}, nil, nil)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := client.Builder().Run(ctx, &recordingUi{}, funcHook(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestPanic_inThePluginIsAnErrorAtTheCallerAndItsStackGoesToTheLog(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	logger := log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), "", 0)
	client := connect(t, &funcBuilder{run: func(context.Context, packer.Ui, packer.Hook) (packer.Artifact, error) {
		panic("boom")
	}}, &Config{Logger: logger}, nil)

	_, err := client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if err == nil || !strings.Contains(err.Error(), "Builder.Run panicked: boom") {
		t.Fatalf("Run error = %v, want the panic reported", err)
	}
	mu.Lock()
	got := logged.String()
	mu.Unlock()
	if !strings.Contains(got, "rpc: panic in Builder.Run: boom") || !strings.Contains(got, "_test.go") {
		t.Errorf("the plugin's log lacks the panic and its stack:\n%s", got)
	}
	// The connection survives a panic: the next call works.
	if _, err := client.Builder().Prepare(); err != nil {
		t.Errorf("Prepare after a panic: %v", err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestConnectionLost_failsThePendingCallAndCancelsThePlugin(t *testing.T) {
	core, plugin := net.Pipe()
	started := make(chan struct{})
	pluginCtxDone := make(chan struct{})
	go Serve(plugin, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		close(started)
		<-ctx.Done()
		close(pluginCtxDone)
		return nil, ctx.Err()
	}}, nil)
	var calledWith string
	client, err := NewClient(core, &Config{CallError: func(method string, err error) error {
		calledWith = method
		return fmt.Errorf("plugin test-plugin exited unexpectedly during %s: %w", method, err)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	go func() {
		<-started
		plugin.Close() // the plugin process dies
	}()
	_, err = client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("Run error = %v, want ErrConnectionLost", err)
	}
	if calledWith != "Builder.Run" || !strings.Contains(err.Error(), "plugin test-plugin exited unexpectedly during Builder.Run") {
		t.Errorf("error %q was not shaped by CallError (called with %q)", err, calledWith)
	}
	<-pluginCtxDone
	<-client.Done()
}

func TestServe_refusesWhatIsNotAComponent(t *testing.T) {
	_, plugin := net.Pipe()
	err := Serve(plugin, "a string", nil)
	if err == nil || !strings.Contains(err.Error(), "cannot serve a string") {
		t.Fatalf("Serve = %v", err)
	}
}

func TestServe_letsRunningCallsCleanUpAfterTheConnectionIsLost(t *testing.T) {
	core, pluginEnd := net.Pipe()
	started := make(chan struct{})
	cleanedUp := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- Serve(pluginEnd, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
			close(started)
			<-ctx.Done() // the lost connection cancels the call
			close(cleanedUp)
			return nil, ctx.Err()
		}}, nil)
	}()
	client, err := NewClient(core, nil)
	if err != nil {
		t.Fatal(err)
	}
	go client.Builder().Run(context.Background(), &recordingUi{}, funcHook(nil))
	<-started
	client.Close()
	<-served
	select {
	case <-cleanedUp:
	default:
		t.Fatal("Serve returned before the running call had cleaned up")
	}
}

func TestContext_aCallThatIgnoresItsDeadlineIsGivenUpOnAndReported(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stubborn := funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		<-release // ignores ctx
		return nil
	})
	abandoned := make(chan string, 1)
	client := connect(t, stubborn, nil, &Config{deadlineGrace: 50 * time.Millisecond, OnAbandon: func(m string) { abandoned <- m }})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := client.Provisioner().Provision(ctx, &recordingUi{}, nil)
	if !errors.Is(err, ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Provisioner.Provision") {
		t.Errorf("Provision = %v, want ErrAbandoned and DeadlineExceeded naming the method", err)
	}
	if m := <-abandoned; m != "Provisioner.Provision" {
		t.Errorf("OnAbandon heard of %q", m)
	}
}

func TestContext_aCancelledCallIsWaitedForWhileItCleansUp(t *testing.T) {
	cleaning := make(chan struct{})
	slow := funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		<-ctx.Done()
		close(cleaning)
		<-time.After(200 * time.Millisecond) // cleaning up for longer than the grace
		return errors.New("cleaned up")
	})
	client := connect(t, slow, nil, &Config{deadlineGrace: time.Millisecond, OnAbandon: func(m string) { t.Errorf("%s abandoned on a cancel", m) }})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-time.After(10 * time.Millisecond); cancel() }()
	if err := client.Provisioner().Provision(ctx, &recordingUi{}, nil); err == nil || err.Error() != "cleaned up" {
		t.Errorf("Provision = %v, want the provisioner's own error after its cleanup", err)
	}
	<-cleaning
}
