package command

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// WantsHelp reports whether a command's arguments ask for its help, as
// packer's command line has always read them: -h, -help or --help anywhere
// before a "--" (after it, they are the command's own arguments). packer
// answers them for a plugin command with the plugin's Help, never running
// it, as packer.Command promises.
func WantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// ExitStatus is the process exit status for what a command's Run returned:
// the status itself (packer.Command's contract), or 1 for one no process
// can exit with (outside 0-255, where the system would keep only the low
// byte and could turn a failure into 0).
func ExitStatus(code int) int {
	if code < 0 || code > 255 {
		return 1
	}
	return code
}

// PluginSynopses starts every packer-command-NAME plugin discovery finds,
// all at once, and asks each for its Synopsis, for `packer help` to list:
// name to synopsis, or to why none could be had. A plugin named like a
// built-in command is left out: it cannot replace one.
func (m *Meta) PluginSynopses(builtins map[string]packer.Command) map[string]string {
	found, _ := m.Discovery.All() // broken entries are `packer plugins`' to report
	var names []string
	for _, f := range found {
		if _, builtin := builtins[f.Name]; f.Kind == packer.KindCommand && !builtin {
			names = append(names, f.Name)
		}
	}
	synopses := make(map[string]string, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			s := m.pluginSynopsis(name)
			mu.Lock()
			synopses[name] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	return synopses
}

// pluginSynopsis starts the command plugin name and returns its synopsis,
// or, in parentheses, why it has none.
func (m *Meta) pluginSynopsis(name string) string {
	cmd, err := m.Command(name)
	if err != nil {
		return fmt.Sprintf("(cannot start it: %s)", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	if s := cmd.Synopsis(); s != "" {
		return s
	}
	return "(its Synopsis is empty)"
}

// writeCommandList writes one line a command, sorted by name: its name in a
// column as wide as the longest, then its synopsis.
func writeCommandList(b *strings.Builder, synopses map[string]string) {
	names := make([]string, 0, len(synopses))
	width := 0
	for name := range synopses {
		names = append(names, name)
		width = max(width, len(name))
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(b, "    %-*s    %s\n", width, name, synopses[name])
	}
}
