package plugin

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// writePlugin makes an executable file named like a plugin in dir and
// returns its path. Discovery only looks at files, so its content is a stub
// script that is never run.
func writePlugin(t *testing.T, dir, file string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		file += ".exe"
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// testDiscovery returns a Discovery whose every source is its own temporary
// directory, so each test decides what each place holds.
func testDiscovery(t *testing.T) (Discovery, map[Source]string) {
	t.Helper()
	dirs := map[Source]string{
		SourceExecutableDir: t.TempDir(),
		SourceWorkingDir:    t.TempDir(),
		SourcePluginDir:     t.TempDir(),
		SourcePath:          t.TempDir(),
		SourceConfig:        t.TempDir(),
	}
	exe := filepath.Join(dirs[SourceExecutableDir], "packer")
	d := Discovery{
		Configured: map[packer.Kind]map[string]string{},
		ConfigFile: filepath.Join(dirs[SourceConfig], "packerconfig"),
		Executable: exe,
		WorkingDir: dirs[SourceWorkingDir],
		PluginDirs: []string{dirs[SourcePluginDir]},
		PathDirs:   []string{dirs[SourcePath]},
		Builtins:   map[packer.Kind][]string{packer.KindBuilder: {"null"}},
	}
	return d, dirs
}

func TestDiscovery_FindSearchesSourcesInDocumentedOrder(t *testing.T) {
	d, dirs := testDiscovery(t)
	const name = "thing"
	// Fill every place, then remove them one by one from the front: each
	// time, the next place in the order must win.
	order := []Source{SourceConfig, SourceExecutableDir, SourceWorkingDir, SourcePluginDir, SourcePath}
	paths := map[Source]string{}
	for _, src := range order {
		paths[src] = writePlugin(t, dirs[src], BinaryName(packer.KindBuilder, name))
	}
	d.Configured[packer.KindBuilder] = map[string]string{name: paths[SourceConfig]}
	d.Builtins[packer.KindBuilder] = append(d.Builtins[packer.KindBuilder], name)

	for _, src := range order {
		f, err := d.Find(packer.KindBuilder, name)
		if err != nil {
			t.Fatalf("with %s present: %v", src, err)
		}
		if f.Source != src || f.Path != paths[src] {
			t.Fatalf("found %s at %s, want %s at %s", f.Source, f.Path, src, paths[src])
		}
		if src == SourceConfig {
			delete(d.Configured[packer.KindBuilder], name)
		} else if err := os.Remove(paths[src]); err != nil {
			t.Fatal(err)
		}
	}
	f, err := d.Find(packer.KindBuilder, name)
	if err != nil {
		t.Fatalf("with only the built-in left: %v", err)
	}
	if f.Source != SourceBuiltin || f.Path != d.Executable {
		t.Fatalf("found %s at %s, want the built-in served by %s", f.Source, f.Path, d.Executable)
	}
	if want := []string{"plugin", "--builtins"}; !slices.Equal(f.Args, want) {
		t.Errorf("built-in args = %q, want %q", f.Args, want)
	}
	cmd := f.Cmd()
	if want := []string{d.Executable, "plugin", "--builtins"}; !slices.Equal(cmd.Args, want) {
		t.Errorf("built-in command = %q, want %q", cmd.Args, want)
	}
}

func TestDiscovery_FindExternalOverridesBuiltin(t *testing.T) {
	d, dirs := testDiscovery(t)
	path := writePlugin(t, dirs[SourcePath], "packer-builder-null")
	f, err := d.Find(packer.KindBuilder, "null")
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != SourcePath || f.Path != path || len(f.Args) != 0 {
		t.Errorf("got %+v, want the PATH binary %s with no args", f, path)
	}
}

func TestDiscovery_FindMissingPluginNamesWhatWasSearched(t *testing.T) {
	d, dirs := testDiscovery(t)
	_, err := d.Find(packer.KindPostProcessor, "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{"packer-post-processor-nope", "directories on PATH", dirs[SourceWorkingDir], dirs[SourcePluginDir], d.ConfigFile} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestDiscovery_FindSkipsNonExecutableFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no execute bit")
	}
	d, dirs := testDiscovery(t)
	if err := os.WriteFile(filepath.Join(dirs[SourceWorkingDir], "packer-provisioner-x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want := writePlugin(t, dirs[SourcePath], "packer-provisioner-x")
	f, err := d.Find(packer.KindProvisioner, "x")
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != want {
		t.Errorf("found %s, want the executable one on PATH %s", f.Path, want)
	}
}

func TestDiscovery_FindConfigEntryThatIsMissingIsAnErrorNamingFileAndKey(t *testing.T) {
	d, dirs := testDiscovery(t)
	missing := filepath.Join(dirs[SourceConfig], "packer-builder-gone")
	d.Configured[packer.KindBuilder] = map[string]string{"gone": missing}
	// A binary of the same name elsewhere must not hide the broken entry.
	writePlugin(t, dirs[SourcePath], "packer-builder-gone")
	_, err := d.Find(packer.KindBuilder, "gone")
	if err == nil {
		t.Fatal("want an error for a config entry whose file does not exist")
	}
	for _, want := range []string{d.ConfigFile, "builders.gone", missing, "does not exist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestDiscovery_aRelativeConfigEntryFailsOnlyItsPluginAsAMissingOneDoes(t *testing.T) {
	d, dirs := testDiscovery(t)
	// Relative to the working directory it would even exist: it must still
	// be refused, as the path would mean something else in another one.
	writePlugin(t, dirs[SourceWorkingDir], "packer-builder-rel")
	d.Configured[packer.KindBuilder] = map[string]string{
		"rel":  "packer-builder-rel",
		"gone": filepath.Join(dirs[SourceConfig], "packer-builder-gone"),
	}
	for name, want := range map[string]string{"rel": `plugin path "packer-builder-rel" is not absolute`, "gone": "does not exist"} {
		_, err := d.Find(packer.KindBuilder, name)
		if err == nil || !strings.Contains(err.Error(), d.ConfigFile) || !strings.Contains(err.Error(), "builders."+name) || !strings.Contains(err.Error(), want) {
			t.Errorf("Find(%s) = %v, want an error naming %s, builders.%s and %q", name, err, d.ConfigFile, name, want)
		}
	}
	if f, err := d.Find(packer.KindBuilder, "null"); err != nil || f.Source != SourceBuiltin {
		t.Errorf("a plugin the broken entries do not name: %+v, %v", f, err)
	}
	_, errs := d.All()
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "builders.gone") || !strings.Contains(errs[1].Error(), "builders.rel") {
		t.Errorf("All() errors = %v, want both broken entries, in order", errs)
	}
}

func TestDiscovery_FindConfigEntryNotExecutable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no execute bit")
	}
	d, dirs := testDiscovery(t)
	path := filepath.Join(dirs[SourceConfig], "packer-command-x")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d.Configured[packer.KindCommand] = map[string]string{"x": path}
	_, err := d.Find(packer.KindCommand, "x")
	if err == nil || !strings.Contains(err.Error(), "not executable") || !strings.Contains(err.Error(), "commands.x") {
		t.Fatalf("err = %v, want a not-executable error naming commands.x", err)
	}
}

func TestDiscovery_AllListsWinnersSortedWithSources(t *testing.T) {
	d, dirs := testDiscovery(t)
	configured := writePlugin(t, dirs[SourceConfig], "my-dev-build")
	d.Configured[packer.KindPostProcessor] = map[string]string{"dev": configured}
	inCwd := writePlugin(t, dirs[SourceWorkingDir], "packer-builder-null") // overrides the built-in
	writePlugin(t, dirs[SourcePath], "packer-builder-null")                // shadowed by the cwd one
	onPath := writePlugin(t, dirs[SourcePath], "packer-post-processor-zip")
	plugDir := writePlugin(t, dirs[SourcePluginDir], "packer-command-hello")
	writePlugin(t, dirs[SourcePath], "packer")          // not a plugin name
	writePlugin(t, dirs[SourcePath], "packer-widget-x") // unknown kind
	d.Builtins[packer.KindProvisioner] = []string{"shell"}

	found, errs := d.All()
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	type row struct {
		kind       packer.Kind
		name, path string
		source     Source
	}
	var got []row
	for _, f := range found {
		got = append(got, row{f.Kind, f.Name, f.Path, f.Source})
	}
	want := []row{
		{packer.KindBuilder, "null", inCwd, SourceWorkingDir},
		{packer.KindProvisioner, "shell", d.Executable, SourceBuiltin},
		{packer.KindPostProcessor, "dev", configured, SourceConfig},
		{packer.KindPostProcessor, "zip", onPath, SourcePath},
		{packer.KindCommand, "hello", plugDir, SourcePluginDir},
	}
	if !slices.Equal(got, want) {
		t.Errorf("All() =\n%v\nwant\n%v", got, want)
	}
}

func TestDiscovery_AllReportsBrokenConfigEntries(t *testing.T) {
	d, dirs := testDiscovery(t)
	d.Configured[packer.KindBuilder] = map[string]string{"gone": filepath.Join(dirs[SourceConfig], "missing")}
	found, errs := d.All()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "builders.gone") {
		t.Fatalf("errs = %v, want one naming builders.gone", errs)
	}
	if !slices.ContainsFunc(found, func(f Found) bool { return f.Name == "gone" && f.Source == SourceConfig }) {
		t.Errorf("the broken entry should still be listed: %+v", found)
	}
}

func TestParseBinaryName(t *testing.T) {
	cases := []struct {
		file string
		kind packer.Kind
		name string
		ok   bool
	}{
		{"packer-builder-null", packer.KindBuilder, "null", true},
		{"packer-post-processor-shell-local", packer.KindPostProcessor, "shell-local", true},
		{"packer-provisioner-file.exe", packer.KindProvisioner, "file", true},
		{"packer-command-hello", packer.KindCommand, "hello", true},
		{"packer-hook-x", packer.KindHook, "x", true},
		{"packer-builder-", "", "", false},
		{"packer", "", "", false},
		{"packer-post-x", "", "", false},
		{"notpacker-builder-null", "", "", false},
		{"packer-builder-x_SHA256SUM", "", "", false},
		{"packer-command-x_SHA256SUM.exe", "", "", false},
	}
	for _, c := range cases {
		kind, name, ok := ParseBinaryName(c.file)
		if kind != c.kind || name != c.name || ok != c.ok {
			t.Errorf("ParseBinaryName(%q) = %q, %q, %v; want %q, %q, %v", c.file, kind, name, ok, c.kind, c.name, c.ok)
		}
	}
}

func TestDefaultDiscovery_readsPluginPathList(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	t.Setenv("PACKER_PLUGIN_PATH", a+string(os.PathListSeparator)+b)
	d := DefaultDiscovery("", nil, nil)
	if !slices.Equal(d.PluginDirs, []string{a, b}) {
		t.Errorf("PluginDirs = %q, want %q", d.PluginDirs, []string{a, b})
	}
	t.Setenv("PACKER_PLUGIN_PATH", "")
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("PACKER_CONFIG_DIR", "")
	t.Setenv("APPDATA", "")
	d = DefaultDiscovery("", nil, nil)
	// This packer's own directory, then the one real Packer installs into
	// (~/.config/packer/plugins, when there is no ~/.packer.d).
	want := []string{filepath.Join(home, ".packer.d", "plugins"), PackerDefaultPluginDir()}
	if runtime.GOOS != "windows" && want[1] != filepath.Join(home, ".config", "packer", "plugins") {
		t.Errorf("Packer's default plugin directory = %s, want ~/.config/packer/plugins", want[1])
	}
	if !slices.Equal(d.PluginDirs, want) {
		t.Errorf("PluginDirs = %q, want %q", d.PluginDirs, want)
	}
	if d.Executable == "" {
		t.Error("Executable not set from os.Executable")
	}
}

func TestDiscovery_FindsComponentsOfMultiComponentPlugins(t *testing.T) {
	dir := t.TempDir()
	duo := writePlugin(t, dir, "packer-plugin-duo")
	d := Discovery{PathDirs: []string{dir}}
	for name, component := range map[string]string{"duo": DefaultName, "duo-stamp": "stamp", "duo-two-parts": "two-parts"} {
		f, err := d.Find(packer.KindPostProcessor, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Path != duo || f.Component != component || f.Source != SourcePath {
			t.Errorf("%s: found %+v, want component %q of %s", name, f, component, duo)
		}
	}
	// A single-component binary of the exact name wins.
	single := writePlugin(t, dir, "packer-post-processor-duo-stamp")
	if f, _ := d.Find(packer.KindPostProcessor, "duo-stamp"); f.Path != single || f.Component != "" {
		t.Errorf("found %+v, want the single-component %s", f, single)
	}
	if _, err := d.Find(packer.KindPostProcessor, "trio"); !errors.Is(err, ErrNotFound) {
		t.Errorf("trio: %v", err)
	}
}

func TestDiscovery_AllListsMultiComponentAndInstalledPlugins(t *testing.T) {
	pathDir, pluginDir := t.TempDir(), t.TempDir()
	writePlugin(t, pathDir, "packer-plugin-duo")
	os.MkdirAll(filepath.Join(pluginDir, "trio", "v1.0.0"), 0o755)
	installed := writePlugin(t, filepath.Join(pluginDir, "trio", "v1.0.0"), "packer-plugin-trio")
	found, _ := Discovery{PathDirs: []string{pathDir}, PluginDirs: []string{pluginDir}}.All()
	var rows []string
	for _, f := range found {
		rows = append(rows, string(f.Kind)+" "+f.Name+" "+string(f.Source))
	}
	want := "plugin duo PATH,plugin trio plugin-dir"
	if strings.Join(rows, ",") != want {
		t.Errorf("All = %q, want %q", rows, want)
	}
	if found[1].Path != installed {
		t.Errorf("installed trio listed at %s, want %s", found[1].Path, installed)
	}
}

func TestDiscovery_checksumFilesAreNeverPlugins(t *testing.T) {
	d, dirs := testDiscovery(t)
	writePlugin(t, dirs[SourcePath], "packer-builder-x_SHA256SUM")
	writePlugin(t, dirs[SourcePath], "packer-plugin-duo_SHA256SUM")
	writePlugin(t, dirs[SourceWorkingDir], "packer-command-hi_SHA256SUM")
	for _, name := range []string{"x_SHA256SUM", "duo_SHA256SUM"} {
		if f, err := d.Find(packer.KindBuilder, name); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "checksum file") {
			t.Errorf("Find(builder, %s) = %+v, %v; want ErrNotFound saying it is a checksum file", name, f, err)
		}
	}
	found, errs := d.All()
	for _, f := range found {
		if strings.Contains(f.Name, "SHA256SUM") {
			t.Errorf("All() lists %+v", f)
		}
	}
	if len(errs) != 0 {
		t.Errorf("All() errors: %v", errs)
	}
}

func TestDiscovery_warnsOfPluginsAnotherUserCouldReplace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows permissions are ACLs, not mode bits")
	}
	d, dirs := testDiscovery(t)
	var warnings []string
	d.Warn = func(m string) { warnings = append(warnings, m) }
	writable := writePlugin(t, dirs[SourcePath], "packer-builder-open")
	if err := os.Chmod(writable, 0o757); err != nil {
		t.Fatal(err)
	}
	inOpenDir := writePlugin(t, dirs[SourceWorkingDir], "packer-provisioner-here")
	if err := os.Chmod(dirs[SourceWorkingDir], 0o1777); err != nil {
		t.Fatal(err)
	}
	safe := writePlugin(t, dirs[SourcePluginDir], "packer-post-processor-safe")

	for _, c := range []struct {
		kind       packer.Kind
		name, want string
	}{
		{packer.KindBuilder, "open", "plugin " + writable + " is world-writable"},
		{packer.KindProvisioner, "here", "plugin " + inOpenDir + " is in the world-writable directory " + dirs[SourceWorkingDir]},
		{packer.KindPostProcessor, "safe", ""},
	} {
		warnings = nil
		if _, err := d.Find(c.kind, c.name); err != nil {
			t.Fatal(err)
		}
		if c.want == "" && len(warnings) != 0 {
			t.Errorf("Find(%s) of %s warned: %q", c.name, safe, warnings)
		}
		if c.want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], c.want)) {
			t.Errorf("Find(%s) warned %q, want one warning containing %q", c.name, warnings, c.want)
		}
	}
	warnings = nil
	d.All()
	if len(warnings) != 2 {
		t.Errorf("All() warned %q, want the two replaceable plugins", warnings)
	}
}

func TestWarnOnce_passesEachMessageOnce(t *testing.T) {
	var got []string
	warn := WarnOnce(func(m string) { got = append(got, m) })
	for _, m := range []string{"a", "b", "a", "b", "c"} {
		warn(m)
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("got %q", got)
	}
}
