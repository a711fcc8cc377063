package plugin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// Source says where discovery found a plugin. `packer plugins` prints it, so
// a user can see why one binary won over another of the same name.
type Source string

// The places a plugin can come from, in the order they are searched.
const (
	// SourceConfig is the config file (PACKER_CONFIG or ~/.packerconfig),
	// which names a binary by absolute path: how a plugin author points
	// Packer at the binary being developed.
	SourceConfig Source = "config"
	// SourceExecutableDir is the directory holding the packer executable.
	SourceExecutableDir Source = "packer-dir"
	// SourceWorkingDir is the current working directory.
	SourceWorkingDir Source = "current-dir"
	// SourcePluginDir is PACKER_PLUGIN_PATH, or ~/.packer.d/plugins.
	SourcePluginDir Source = "plugin-dir"
	// SourcePath is a directory on PATH.
	SourcePath Source = "PATH"
	// SourceBuiltin is the packer executable itself, re-executed once per
	// run as `packer plugin --builtins` to serve every built-in.
	SourceBuiltin Source = "built-in"
)

// BuiltinSubcommand is the hidden packer subcommand that serves the
// built-in components (`packer plugin --builtins`). Discovery, the loader
// and main agree on it through this constant.
const BuiltinSubcommand = "plugin"

// Found is one plugin discovery found: what it is, how to start it and where
// it came from.
type Found struct {
	Kind packer.Kind
	Name string
	// Path is the executable to run. For a built-in it is the packer
	// executable itself.
	Path string
	// Args are the arguments to run Path with; empty except for a built-in,
	// served by [plugin --builtins].
	Args []string
	// Source is where it was found; Origin adds detail a user needs to
	// fix a wrong entry: the config file for SourceConfig, the directory
	// for the directory sources.
	Source Source
	Origin string
	// Component is set when Path is a multi-component plugin
	// (packer-plugin-NAME, served with a Set): the name the component is
	// registered under in it (DefaultName for type NAME).
	Component string
}

// Cmd returns a fresh command that starts this plugin. Each call returns a
// new *exec.Cmd, because a Cmd can be started only once.
func (f Found) Cmd() *exec.Cmd {
	return exec.Command(f.Path, f.Args...)
}

// Discovery holds the places to look for plugins. Its zero value finds
// nothing; DefaultDiscovery fills it from the environment. Tests build one
// by hand, pointing every field at temporary directories.
type Discovery struct {
	// Configured are the plugins named in the config file, by kind and
	// name, each an absolute path. They win over every other source.
	Configured map[packer.Kind]map[string]string
	// ConfigFile is the file Configured came from, named in errors about
	// its entries.
	ConfigFile string
	// Executable is the packer executable. Its directory is searched, and
	// it serves the built-ins.
	Executable string
	// WorkingDir is the current directory, searched after the
	// executable's directory. Empty skips it.
	WorkingDir string
	// PluginDirs are PACKER_PLUGIN_PATH's entries, or ~/.packer.d/plugins.
	PluginDirs []string
	// PathDirs are the directories on PATH, searched last of the files.
	PathDirs []string
	// Pinned maps a multi-component plugin's name to the installed binary a
	// template's required_plugins (and its lock file) chose; it wins over
	// every directory.
	Pinned map[string]string
	// Builtins are the component names the packer executable serves
	// itself, by kind. A plugin of the same name in any other source
	// overrides a built-in.
	Builtins map[packer.Kind][]string
	// Warn, when set, is told of each plugin Find or All returns that
	// another user could replace (a world-writable file, or one in a
	// world-writable directory), every time it is returned: WarnOnce makes
	// a Warn that says each thing once. Nil says nothing.
	Warn func(message string)
}

// ErrNotFound is returned (wrapped, with the places searched) when no source
// has the plugin asked for.
var ErrNotFound = errors.New("plugin not found")

// DefaultDiscovery returns the Discovery a packer process uses: the
// configured plugins and their file, its own executable, the current
// directory, PACKER_PLUGIN_PATH (a list, as PATH) or ~/.packer.d/plugins,
// PATH, and the given built-ins.
func DefaultDiscovery(configFile string, configured map[packer.Kind]map[string]string, builtins map[packer.Kind][]string) Discovery {
	d := Discovery{
		Configured: configured,
		ConfigFile: configFile,
		Builtins:   builtins,
		PathDirs:   filepath.SplitList(os.Getenv("PATH")),
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		d.Executable = exe
	}
	if wd, err := os.Getwd(); err == nil {
		d.WorkingDir = wd
	}
	if p := os.Getenv("PACKER_PLUGIN_PATH"); p != "" {
		d.PluginDirs = filepath.SplitList(p)
	} else if home, err := os.UserHomeDir(); err == nil {
		d.PluginDirs = []string{filepath.Join(home, ".packer.d", "plugins")}
	}
	d.PluginDirs = withPackerDefault(d.PluginDirs)
	return d
}

// dirSource is one directory to search and the source it stands for.
type dirSource struct {
	dir    string
	source Source
}

// dirs lists the directories to search, in order.
func (d Discovery) dirs() []dirSource {
	var out []dirSource
	if d.Executable != "" {
		out = append(out, dirSource{filepath.Dir(d.Executable), SourceExecutableDir})
	}
	if d.WorkingDir != "" {
		out = append(out, dirSource{d.WorkingDir, SourceWorkingDir})
	}
	for _, dir := range d.PluginDirs {
		if dir != "" {
			out = append(out, dirSource{dir, SourcePluginDir})
		}
	}
	for _, dir := range d.PathDirs {
		if dir != "" {
			out = append(out, dirSource{dir, SourcePath})
		}
	}
	return out
}

// Find returns the plugin of this kind and name from the first source that
// has it: the config file, the packer executable's directory, the current
// directory, the plugin directories, PATH, and last the built-ins. A config
// file entry that is not an absolute path to an executable is an error
// naming the file and key rather than a silent fall-through, because the
// user asked for that binary. A name ending in _SHA256SUM is never found. A
// plugin another user could replace is returned, and told to d.Warn.
func (d Discovery) Find(kind packer.Kind, name string) (Found, error) {
	f, err := d.find(kind, name)
	if err == nil {
		d.warnIfReplaceable(f)
	}
	return f, err
}

func (d Discovery) find(kind packer.Kind, name string) (Found, error) {
	if isChecksumFile(name) {
		return Found{}, fmt.Errorf("%w: no %s named %q: a name ending in %s is a checksum file, never a plugin",
			ErrNotFound, kind, name, checksumSuffix)
	}
	if path, ok := d.Configured[kind][name]; ok {
		if err := d.checkConfigured(kind, name, path); err != nil {
			return Found{}, err
		}
		return Found{Kind: kind, Name: name, Path: path, Source: SourceConfig, Origin: d.ConfigFile}, nil
	}
	file := BinaryName(kind, name)
	if kind == packer.KindBuilder || kind == packer.KindProvisioner || kind == packer.KindPostProcessor {
		for _, m := range multiComponentNames(name) {
			if path, ok := d.Pinned[m.plugin]; ok {
				return Found{Kind: kind, Name: name, Path: path, Source: SourcePluginDir, Origin: "required_plugins", Component: m.component}, nil
			}
		}
	}
	for _, ds := range d.dirs() {
		for _, candidate := range candidates(ds.dir, file) {
			if checkExecutable(candidate) == nil {
				return Found{Kind: kind, Name: name, Path: candidate, Source: ds.source, Origin: ds.dir}, nil
			}
		}
		if kind == packer.KindBuilder || kind == packer.KindProvisioner || kind == packer.KindPostProcessor {
			for _, m := range multiComponentNames(name) {
				for _, candidate := range candidates(ds.dir, "packer-plugin-"+m.plugin) {
					if checkExecutable(candidate) == nil {
						return Found{Kind: kind, Name: name, Path: candidate, Source: ds.source, Origin: ds.dir, Component: m.component}, nil
					}
				}
				// Installed by packer plugins install: the highest version,
				// checked against the checksum written at install time.
				if versions := InstalledVersions(ds.dir, m.plugin); ds.source == SourcePluginDir && len(versions) > 0 {
					newest := versions[len(versions)-1]
					if err := VerifyInstalled(newest.Path); err != nil {
						return Found{}, err
					}
					return Found{Kind: kind, Name: name, Path: newest.Path, Source: ds.source, Origin: ds.dir, Component: m.component}, nil
				}
				// Installed by Packer (or packer plugins install --path).
				if newest, ok := newestPackerInstall(ds.dir, m.plugin); ds.source == SourcePluginDir && ok {
					if err := VerifyPackerInstall(newest.Path); err != nil {
						return Found{}, err
					}
					return Found{Kind: kind, Name: name, Path: newest.Path, Source: ds.source, Origin: ds.dir, Component: m.component}, nil
				}
			}
		}
	}
	if d.isBuiltin(kind, name) && d.Executable != "" {
		return d.builtin(kind, name), nil
	}
	return Found{}, fmt.Errorf("%w: no %s named %q: looked for %s in the config file %s, %s, and found no built-in of that name; install it there or name it in the config file",
		ErrNotFound, kind, name, file, orNone(d.ConfigFile), d.describeDirs())
}

type multiName struct{ plugin, component string }

// multiComponentNames lists where a component type may live in
// multi-component plugins: type "foo" is the default component of
// packer-plugin-foo; type "foo-bar" is also component "bar" of
// packer-plugin-foo (and "foo-bar-baz" component "baz" of
// packer-plugin-foo-bar, and so on), the longest plugin name first.
func multiComponentNames(name string) []multiName {
	out := []multiName{{plugin: name, component: DefaultName}}
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '-' && i < len(name)-1 {
			out = append(out, multiName{plugin: name[:i], component: name[i+1:]})
		}
	}
	return out
}

// All returns every plugin discovery can find, one per kind and name (the
// one Find would return), sorted by kind then name. A broken config entry is
// returned with its error, not dropped, so `packer plugins` shows it; each
// plugin another user could replace is told to d.Warn.
func (d Discovery) All() ([]Found, []error) {
	seen := make(map[packer.Kind]map[string]bool)
	var found []Found
	var errs []error
	add := func(f Found) {
		if seen[f.Kind] == nil {
			seen[f.Kind] = make(map[string]bool)
		}
		if seen[f.Kind][f.Name] {
			return
		}
		seen[f.Kind][f.Name] = true
		found = append(found, f)
	}
	for _, kind := range packer.Kinds() {
		names := make([]string, 0, len(d.Configured[kind]))
		for name := range d.Configured[kind] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			path := d.Configured[kind][name]
			if err := d.checkConfigured(kind, name, path); err != nil {
				errs = append(errs, err)
			}
			add(Found{Kind: kind, Name: name, Path: path, Source: SourceConfig, Origin: d.ConfigFile})
		}
	}
	for _, ds := range d.dirs() {
		entries, err := os.ReadDir(ds.dir)
		if err != nil {
			continue // a missing directory on PATH or a plugin dir not made yet is normal
		}
		for _, e := range entries {
			path := filepath.Join(ds.dir, e.Name())
			// Multi-component plugins: a packer-plugin-NAME binary, or
			// versions installed by packer plugins install.
			if isChecksumFile(e.Name()) {
				continue
			}
			if plugin, ok := strings.CutPrefix(strings.TrimSuffix(e.Name(), ".exe"), "packer-plugin-"); ok && checkExecutable(path) == nil {
				add(Found{Kind: KindMultiComponent, Name: plugin, Path: path, Source: ds.source, Origin: ds.dir})
				continue
			}
			if e.IsDir() && ds.source == SourcePluginDir {
				if versions := InstalledVersions(ds.dir, e.Name()); len(versions) > 0 {
					newest := versions[len(versions)-1]
					add(Found{Kind: KindMultiComponent, Name: e.Name(), Path: newest.Path, Source: ds.source, Origin: ds.dir})
				}
				addPackerInstalls(ds, e.Name(), add)
				continue
			}
			kind, name, ok := ParseBinaryName(e.Name())
			if !ok {
				continue
			}
			if checkExecutable(path) != nil {
				continue
			}
			add(Found{Kind: kind, Name: name, Path: path, Source: ds.source, Origin: ds.dir})
		}
	}
	if d.Executable != "" {
		for _, kind := range packer.Kinds() {
			for _, name := range d.Builtins[kind] {
				add(d.builtin(kind, name))
			}
		}
	}
	order := make(map[packer.Kind]int)
	for i, k := range append(packer.Kinds(), KindMultiComponent) {
		order[k] = i
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Kind != found[j].Kind {
			return order[found[i].Kind] < order[found[j].Kind]
		}
		return found[i].Name < found[j].Name
	})
	for _, f := range found {
		d.warnIfReplaceable(f)
	}
	return found, errs
}

func (d Discovery) isBuiltin(kind packer.Kind, name string) bool {
	for _, n := range d.Builtins[kind] {
		if n == name {
			return true
		}
	}
	return false
}

func (d Discovery) builtin(kind packer.Kind, name string) Found {
	return Found{
		Kind: kind, Name: name, Path: d.Executable,
		Args:   []string{BuiltinSubcommand, BuiltinsArg},
		Source: SourceBuiltin, Origin: d.Executable,
	}
}

func (d Discovery) describeDirs() string {
	var parts []string
	onPath := 0
	for _, ds := range d.dirs() {
		if ds.source == SourcePath {
			onPath++
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", ds.dir, ds.source))
	}
	if onPath > 0 {
		parts = append(parts, fmt.Sprintf("the %d directories on PATH", onPath))
	}
	if len(parts) == 0 {
		return "no directories"
	}
	return strings.Join(parts, ", ")
}

// checkConfigured reports why a config file entry cannot be run, naming the
// file and key. Find and All share it, so an entry's problem (a relative
// path, a missing file) is the same error whether a build uses the plugin
// or `packer plugins` lists it, and fails nothing else.
func (d Discovery) checkConfigured(kind packer.Kind, name, path string) error {
	var err error
	if filepath.IsAbs(path) {
		err = checkExecutable(path)
	} else {
		err = fmt.Errorf("plugin path %q is not absolute (the config file needs the full path of the binary)", path)
	}
	if err != nil {
		return fmt.Errorf("config file %s, key %s.%s: %w; fix the path or remove the entry", d.ConfigFile, configKey(kind), name, err)
	}
	return nil
}
