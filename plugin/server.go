package plugin

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/rpc"
)

// ServeBuilder serves b from a plugin process, and exits when the core is
// done with it. It is the whole main of a builder plugin.
func ServeBuilder(b packer.Builder) { serveAndExit(b) }

// ServeProvisioner serves p from a plugin process, and exits when the core is
// done with it.
func ServeProvisioner(p packer.Provisioner) { serveAndExit(p) }

// ServePostProcessor serves p from a plugin process, and exits when the core
// is done with it.
func ServePostProcessor(p packer.PostProcessor) { serveAndExit(p) }

// ServeHook serves h from a plugin process (packer-hook-NAME), and exits
// when the core is done with it. The core runs it for the events a
// template's "hooks" names it under ({"packer_provision": ["NAME"]}).
func ServeHook(h packer.Hook) { serveAndExit(h) }

// ServeCommand serves c from a plugin process (packer-command-NAME), and
// exits when the core is done with it.
func ServeCommand(c packer.Command) { serveAndExit(c) }

// ServeDispenser serves a plugin that makes components on request (several
// components in one binary, or one instance per build), and exits when the
// core is done with it.
func ServeDispenser(d rpc.Dispenser) { serveAndExit(d) }

func serveAndExit(component any) {
	if debugRequested() {
		if err := serveDebug(component, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	err := Serve(component, os.Stdout)
	if errors.Is(err, errNotStartedByCore) {
		fmt.Fprintf(os.Stderr, "%s is a Packer plugin: it is not meant to be run by hand. "+
			"Packer starts it when a template uses it; see `packer plugins` for the plugins packer finds.\n",
			filepath.Base(os.Args[0]))
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
	os.Exit(0)
}

var errNotStartedByCore = errors.New("not started by a packer core")

// Serve runs the plugin side of the handshake and serves component until the
// core closes the connection. The handshake line is written to handshake
// (the process's stdout); after it, standard output is pointed at stderr
// (the descriptor itself, on Unix) so that stray prints reach the core's log
// instead of the handshake stream. Before it returns, Serve kills what the
// plugin started and left in its process group (see the package doc); where
// the system cannot list a group's members, a plugin whose core is gone is
// killed with its group instead of returning. Most plugins call a ServeX
// function instead, which exits the process when Serve returns.
func Serve(component any, handshake io.Writer) error {
	if os.Getenv(MagicCookieKey) != MagicCookieValue {
		return errNotStartedByCore
	}
	key, err := decodeAuthKey(os.Getenv(authKeyEnv))
	if err != nil {
		return err
	}
	listener, err := listenForCore()
	if err != nil {
		return err
	}
	defer listener.Close()

	defer holdSignals()()
	terminate := make(chan os.Signal, 1)
	signal.Notify(terminate, syscall.SIGTERM)
	defer signal.Stop(terminate)
	orphaned := parentGone()

	if _, err := io.WriteString(handshake, handshakeLine(listener.Addr())); err != nil {
		return fmt.Errorf("writing the handshake line: %w", err)
	}
	if handshake == os.Stdout {
		defer runtime.KeepAlive(redirectStdout())
	}
	logger := log.New(os.Stderr, "", log.LstdFlags)

	// The first connection to prove the key is served. Buffered: it is
	// kept even if it proves the key before this goroutine waits for it
	// (an unbuffered send raced with the receive, and lost the real core's
	// connection).
	authenticated := make(chan net.Conn, 1)
	acceptErr := make(chan error, 1)
	go func() {
		acceptErr <- acceptAuthenticated(listener, key, logger, func(conn net.Conn) {
			select {
			case authenticated <- conn:
			default:
				conn.Close() // the core is already connected
			}
		})
	}()
	var conn net.Conn
	select {
	case conn = <-authenticated:
		listener.Close()
	case err := <-acceptErr:
		return fmt.Errorf("waiting for the core to connect: %w", err)
	case <-terminate:
		return errors.New("terminated before the core connected")
	case <-orphaned:
		return errors.New("the core went away before it connected")
	}
	// SIGTERM (the parent-death signal on Linux) and the loss of the parent
	// end the connection as the core closing it would: running calls see
	// their contexts cancelled and get a moment to clean up.
	var coreGone atomic.Bool
	go func() {
		// The connection closes first: it cancels what the core asked
		// for, and the core that would read the log line may be gone.
		select {
		case <-terminate:
			coreGone.Store(true)
			conn.Close()
			logger.Printf("terminated: closed the connection")
		case <-orphaned:
			coreGone.Store(true)
			conn.Close()
			logger.Printf("the core went away: closed the connection")
		}
	}()
	err = rpc.Serve(conn, component, &rpc.Config{Logger: logger})
	// What the plugin started and left running goes with it: a core that
	// was killed cannot kill the plugin's group any more.
	endOwnGroup(coreGone.Load())
	return err
}

// holdSignals keeps two signals from ending the plugin, and returns the
// function that lets them go again:
//
//   - Ctrl-C, which the terminal sends to the whole process group: the core
//     decides how a build winds down, and closes the connection when done;
//   - SIGPIPE, raised when the plugin writes its log to a stderr whose
//     reader, the core, has died: the plugin must live on long enough to
//     cancel the work the core asked for, or the commands it runs would be
//     left behind.
//
// They are caught and dropped rather than ignored, because an ignored signal
// stays ignored in every command the plugin starts (a provisioner's script
// could not be interrupted, nor see a broken pipe), and a caught one is
// reset to its default in them.
func holdSignals() (release func()) {
	held := make(chan os.Signal, 1)
	signal.Notify(held, heldSignals()...)
	return func() { signal.Stop(held) }
}
