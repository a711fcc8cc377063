// Command packer builds machine images from a JSON template. Every builder,
// provisioner, post-processor, hook and plugin command runs as its own
// process; the built-in ones are served by this same executable,
// re-executed once per run as `packer plugin --builtins`.
//
// Exit codes: 0 when everything succeeded; 1 when any build failed or the
// input was bad; 130 when interrupted (SIGINT or SIGTERM), after cleanup; a
// plugin command's own exit status for `packer NAME`.
//
// Environment: PACKER_LOG=1 logs to stderr, PACKER_LOG_PATH logs to a file;
// PACKER_CONFIG names the config file (else ~/.packerconfig);
// PACKER_PLUGIN_PATH the plugin directories (else ~/.packer.d/plugins);
// PACKER_PLUGIN_MIN_PORT, PACKER_PLUGIN_MAX_PORT and PACKER_PLUGIN_TIMEOUT
// tune plugin start-up. PACKER_RUN_UUID is set for plugins to tell runs apart.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/packer-classic/packer/command"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/plugin"
	"golang.org/x/term"
)

// Exit codes, documented in the package comment and the README.
const (
	exitOK          = 0
	exitError       = 1
	exitInterrupted = 130 // 128 + SIGINT, as shells report a Ctrl-C
)

// interruptCleanupTimeout bounds how long packer waits, after the first
// Ctrl-C, for builds to clean up before it kills every plugin and exits.
const interruptCleanupTimeout = 2 * time.Minute

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs packer with these arguments and returns the exit code. Every
// path out of it kills the plugin processes it started.
func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == plugin.BuiltinSubcommand {
		return servePlugin(args[1:], stderr)
	}

	logger, closeLog, err := openLog(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "packer: %v\n", err)
		return exitError
	}
	defer closeLog()
	startRun(logger, args)

	ui := newStreamUi(stdout, stderr, machineReadable(args))
	cfg, err := loadConfig()
	if err != nil {
		ui.Error(err.Error())
		return exitError
	}
	reportConfig(cfg, ui, logger)

	meta := newMeta(cfg, stdout, stderr, logger, ui)
	defer meta.Supervisor.KillAll()
	c := &cli{meta: meta, commands: command.Commands(meta), ui: ui, closeLog: closeLog}

	name, rest, code, done := dispatch(args, c.commands, c.usage, ui)
	if done {
		return code
	}
	return c.run(name, rest)
}

// openLog opens the run's log (see setupLog) and makes the log package
// write there too.
func openLog(stderr io.Writer) (*log.Logger, func(), error) {
	logger, closeLog, err := setupLog(stderr)
	if err != nil {
		return nil, nil, err
	}
	// Plugins' stderr is logged: escape control characters as the Ui does,
	// so a plugin cannot drive the terminal that shows PACKER_LOG.
	logger.SetOutput(controlEscapingWriter{logger.Writer()})
	log.SetOutput(logger.Writer())
	log.SetFlags(logger.Flags())
	return logger, closeLog, nil
}

// startRun gives the run its PACKER_RUN_UUID and logs its first line.
func startRun(logger *log.Logger, args []string) {
	if os.Getenv("PACKER_RUN_UUID") == "" {
		// Plugins inherit it: one id for every process of this run.
		os.Setenv("PACKER_RUN_UUID", newUUID())
	}
	// No template is read yet to say which -var values are sensitive:
	// they are hidden here, and logged masked once it is.
	logger.Printf("packer %s, args %q, run %s", packer.Version, command.ArgsForLog(args), os.Getenv("PACKER_RUN_UUID"))
}

// reportConfig shows the config file's warnings, and logs the keys of
// Packer's own it ignores.
func reportConfig(cfg *config, ui packer.Ui, logger *log.Logger) {
	for _, w := range cfg.warnings() {
		ui.Error(w)
	}
	for _, k := range cfg.ignored {
		logger.Printf("config file %s: ignoring key %q, which Packer reads and this packer does not use", cfg.path, k)
	}
}

// newMeta makes what every command shares: where plugins are found, the
// supervisor of every plugin process, the streams and the log.
func newMeta(cfg *config, stdout, stderr io.Writer, logger *log.Logger, ui packer.Ui) *command.Meta {
	discovery := plugin.DefaultDiscovery(cfg.path, cfg.configured(), builtinNames())
	discovery.Warn = plugin.WarnOnce(ui.Error)
	// packer itself guards one-shot plugin runs (see plugin.Guard).
	supervisor := &plugin.Supervisor{Guardian: discovery.Executable}
	meta := &command.Meta{
		Stdout:           stdout,
		Stderr:           stderr,
		StdoutIsTerminal: isTerminal(stdout),
		Discovery:        discovery,
		Supervisor:       supervisor,
		Logger:           logger,
	}
	meta.MinPort, meta.MaxPort = portsFromConfig(cfg)
	if isTerminal(os.Stdin) {
		meta.Stdin = os.Stdin
	}
	return meta
}

// cli is what running a command needs once the config is read.
type cli struct {
	meta     *command.Meta
	commands map[string]packer.Command // the built-in ones
	ui       packer.Ui
	closeLog func()
}

// usage is `packer help`: the built-in commands, and every plugin command
// with its synopsis.
func (c *cli) usage() string { return command.Usage(c.commands, c.meta.PluginSynopses(c.commands)) }

// run runs the command name (built in, or a packer-command-NAME plugin)
// with its arguments and returns the exit code: the first Ctrl-C cancels
// it, a second kills every plugin and exits at once.
func (c *cli) run(name string, rest []string) int {
	supervisor, ui := c.meta.Supervisor, c.ui
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var interrupted atomic.Bool
	stopSignals := handleSignals(cancel, &interrupted, ui, supervisor, c.closeLog)
	defer stopSignals()

	cmd, ok := c.commands[name]
	if !ok {
		var code int
		if cmd, code, ok = c.pluginCommand(name, rest); !ok {
			return code
		}
	}
	code := cmd.Run(ctx, ui, rest)
	// Stop the plugins while a second Ctrl-C is still handled (the deferred
	// KillAll is the safety net for the paths above).
	supervisor.KillAll()
	// A second Ctrl-C before this kills at once and exits: stopSignals
	// waits for that, so nothing below claims a cleanup that was cut short.
	stopSignals()
	if interrupted.Load() {
		ui.Error("Interrupted: every build was cancelled and cleaned up, and every plugin stopped.")
		return exitInterrupted
	}
	// A plugin command's status is packer's (packer.Command's contract);
	// the built-in ones return 0 or 1.
	return command.ExitStatus(code)
}

// pluginCommand starts the packer-command-NAME plugin for `packer name`.
// ok is false when there is nothing to run: no such plugin, one that would
// not start, or a request for its help (shown here); code is then the
// exit code.
func (c *cli) pluginCommand(name string, rest []string) (cmd packer.Command, code int, ok bool) {
	ui := c.ui
	cmd, err := c.meta.Command(name)
	if errors.Is(err, plugin.ErrNotFound) {
		ui.Error(fmt.Sprintf("packer: unknown command %q (and no %s plugin found; `packer plugins` lists what is found).\n\n%s",
			name, plugin.BinaryName(packer.KindCommand, name), c.usage()))
		return nil, exitError, false
	}
	if err != nil {
		ui.Error(fmt.Sprintf("packer %s: %v", name, err))
		return nil, exitError, false
	}
	// packer, not the plugin, answers -h: packer.Command's Help.
	if command.WantsHelp(rest) {
		ui.Say(cmd.Help())
		return nil, exitOK, false
	}
	return cmd, 0, true
}

// dispatch handles what needs no command (help, version flags) and returns
// the command name and its arguments otherwise. done says the exit code is
// final.
func dispatch(args []string, commands map[string]packer.Command, usage func() string, ui packer.Ui) (name string, rest []string, code int, done bool) {
	if len(args) == 0 {
		ui.Error(usage())
		return "", nil, exitError, true
	}
	switch args[0] {
	case "-h", "-help", "--help":
		ui.Say(usage())
		return "", nil, exitOK, true
	case "-v", "-version", "--version":
		return "version", nil, 0, false
	case "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				ui.Say(c.Help())
				return "", nil, exitOK, true
			}
			// Maybe a plugin command: packer shows its Help.
			return args[1], []string{"-h"}, 0, false
		}
		ui.Say(usage())
		return "", nil, exitOK, true
	}
	return args[0], args[1:], 0, false
}

// handleSignals makes the first SIGINT or SIGTERM cancel ctx (builds clean
// up and the command returns), and a second one, or a cleanup that takes
// longer than interruptCleanupTimeout, kill every plugin at once (no grace)
// and exit. stop ends the handling; when a forced exit has begun, it waits
// for it (stop then never returns). It may be called more than once.
func handleSignals(cancel context.CancelFunc, interrupted *atomic.Bool, ui packer.Ui, supervisor *plugin.Supervisor, closeLog func()) (stop func()) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case sig := <-signals:
			interrupted.Store(true)
			ui.Error(fmt.Sprintf("Received %v: cancelling every build and cleaning up. Press Ctrl-C again to stop at once.", sig))
			cancel()
		}
		timeout := time.NewTimer(interruptCleanupTimeout)
		defer timeout.Stop()
		select {
		case <-done:
			return
		case sig := <-signals:
			ui.Error(fmt.Sprintf("Received %v again: killing every plugin now, without waiting for the builds to clean up; resources may be left behind.", sig))
		case <-timeout.C:
			ui.Error(fmt.Sprintf("Cleanup did not finish within %v: killing every plugin now; resources may be left behind.", interruptCleanupTimeout))
		}
		supervisor.KillAllNow()
		closeLog()
		os.Exit(exitInterrupted)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(signals)
			close(done)
		})
		wg.Wait()
	}
}

// setupLog returns the logger for this run: stderr with PACKER_LOG set (to
// anything but "" or "0"), the file PACKER_LOG_PATH names (appended to), or
// nowhere. A log file packer creates is readable by its owner only: it
// holds what every plugin prints.
func setupLog(stderr io.Writer) (*log.Logger, func(), error) {
	flags := log.LstdFlags | log.Lmicroseconds
	if path := os.Getenv("PACKER_LOG_PATH"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("opening the log file PACKER_LOG_PATH=%s: %w; fix the path or unset PACKER_LOG_PATH", path, err)
		}
		var once sync.Once
		return log.New(f, "", flags), func() { once.Do(func() { f.Close() }) }, nil
	}
	if v := os.Getenv("PACKER_LOG"); v != "" && v != "0" {
		return log.New(stderr, "", flags), func() {}, nil
	}
	return log.New(io.Discard, "", 0), func() {}, nil
}

// controlEscapingWriter passes each write on with its control characters
// escaped (packer.EscapeControl), keeping newlines and tabs. The log package
// writes one whole entry per call, so no escape is split.
type controlEscapingWriter struct{ w io.Writer }

func (c controlEscapingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, packer.EscapeControl(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// portsFromConfig returns the plugin port range from the config file, unless
// the environment sets one: the environment wins, as it is the more specific
// choice. Zero leaves it to the plugin client (environment, then default).
func portsFromConfig(c *config) (int, int) {
	minPort, maxPort := c.PluginMinPort, c.PluginMaxPort
	if os.Getenv(plugin.MinPortEnv) != "" {
		minPort = 0
	}
	if os.Getenv(plugin.MaxPortEnv) != "" {
		maxPort = 0
	}
	return minPort, maxPort
}

// machineReadable reports whether the command line asks for
// -machine-readable output, which changes how the top-level Ui prints.
func machineReadable(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-machine-readable" || a == "--machine-readable" || a == "-machine-readable=true" || a == "--machine-readable=true" {
			return true
		}
	}
	return false
}

// isTerminal reports whether w (or a reader) is a terminal: one that can
// show colour, or that a user can type an answer on. Asking the terminal
// driver (as isatty does) rather than looking for a character device is
// what keeps /dev/null, also a character device, from counting: a
// breakpoint would wait on it, read EOF, and fail the build.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// servePlugin is the hidden `packer plugin` subcommand, run by packer itself:
// `--builtins` serves every built-in component from one process (see
// plugin/loader), and `--guard PROGRAM ARGS` runs a one-shot plugin program
// that must not outlive the core (see plugin.Guard).
func servePlugin(args []string, stderr io.Writer) int {
	switch {
	case len(args) > 0 && args[0] == plugin.GuardArg:
		return plugin.Guard(args[1:])
	case len(args) == 1 && args[0] == plugin.BuiltinsArg:
		builtinSet().Run()
		return exitOK
	}
	fmt.Fprintf(stderr, "usage: packer plugin %s (run by packer itself to serve its built-in components)\n", plugin.BuiltinsArg)
	return exitError
}
