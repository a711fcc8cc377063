package plugin

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-version"
)

// Packer's installed-plugin layout, which `packer plugins install` (real
// Packer's, and this packer's with --path) writes under a plugin directory:
//
//	DIR/HOST/ORG/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH[.exe]
//	DIR/HOST/ORG/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH[.exe]_SHA256SUM
//
// as in github.com/hashicorp/qemu/packer-plugin-qemu_v1.1.7_x5.0_linux_amd64.

// PackerInstall is one plugin installed in Packer's layout.
type PackerInstall struct {
	// Name is the plugin's name (NAME), Source where it comes from
	// (HOST/ORG/NAME).
	Name, Source string
	// Version is X.Y.Z, API the plugin API of the file name (x5.0).
	Version, API string
	Path         string
}

var packerFileName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^packer-plugin-([a-z0-9][a-z0-9-]*)_v([0-9][^_]*)_(x[0-9]+\.[0-9]+)_([a-z0-9]+)_([a-z0-9]+)(\.exe)?$`)
})

// parsePackerFileName reads an installed binary's name; ok is false for a
// name that is not of the layout or not for this OS and architecture.
func parsePackerFileName(base string) (name, ver, api string, ok bool) {
	m := packerFileName().FindStringSubmatch(base)
	if m == nil || m[4] != runtime.GOOS || m[5] != runtime.GOARCH {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// PackerInstalls lists the plugins installed in Packer's layout under dir
// for this OS and architecture, by name and then lowest version first.
func PackerInstalls(dir string) []PackerInstall {
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "packer-plugin-*"))
	type found struct {
		v *version.Version
		i PackerInstall
	}
	var all []found
	for _, p := range paths {
		name, ver, api, ok := parsePackerFileName(filepath.Base(p))
		if !ok || filepath.Base(filepath.Dir(p)) != name {
			continue
		}
		v, err := version.NewVersion(ver)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(p))
		all = append(all, found{v, PackerInstall{Name: name, Source: filepath.ToSlash(rel), Version: v.String(), API: api, Path: p}})
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].i.Name != all[b].i.Name {
			return all[a].i.Name < all[b].i.Name
		}
		return all[a].v.LessThan(all[b].v)
	})
	out := make([]PackerInstall, len(all))
	for i, f := range all {
		out[i] = f.i
	}
	return out
}

// newestPackerInstall returns the highest version of name installed in
// Packer's layout under dir.
func newestPackerInstall(dir, name string) (PackerInstall, bool) {
	var newest PackerInstall
	ok := false
	for _, i := range PackerInstalls(dir) {
		if i.Name == name {
			newest, ok = i, true // sorted: the last one wins
		}
	}
	return newest, ok
}

// VerifyPackerInstall checks a binary of Packer's layout against its
// _SHA256SUM file, as Packer does before running it.
func VerifyPackerInstall(path string) error {
	if strings.HasSuffix(path, ".exe") {
		// Packer names the checksum of a .exe after the whole name.
		if _, err := os.Stat(path + checksumSuffix); err == nil {
			return verifySum(path, path+checksumSuffix)
		}
	}
	return VerifyInstalled(path)
}

// CheckPackerName checks that a binary of Packer's layout describes itself
// as its name says (version and plugin API), as Packer requires; a binary
// of any other name passes.
func CheckPackerName(path string, d Description) error {
	_, ver, api, ok := parsePackerFileName(filepath.Base(path))
	if !ok {
		return nil
	}
	described := ""
	if d.SDK != nil {
		described = d.SDK.APIVersion
	}
	named, err1 := version.NewVersion(ver)
	got, err2 := version.NewVersion(d.Version)
	switch {
	case err1 != nil || err2 != nil || !named.Equal(got):
		return fmt.Errorf("%s is installed as version %s but describes itself as version %q; reinstall it (packer plugins install --path BINARY SOURCE)", path, ver, d.Version)
	case described != api:
		return fmt.Errorf("%s is installed for plugin API %s but describes itself as API %q; reinstall it (packer plugins install --path BINARY SOURCE)", path, api, described)
	}
	return nil
}

// PluginName is the plugin name in a multi-component plugin's file name:
// NAME in packer-plugin-NAME, packer-plugin-NAME.exe and Packer's
// packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH.
func PluginName(binary string) string {
	base := filepath.Base(binary)
	if m := packerFileName().FindStringSubmatch(base); m != nil {
		return m[1]
	}
	return strings.TrimSuffix(strings.TrimPrefix(base, "packer-plugin-"), ".exe")
}

// PackerDefaultPluginDir is the plugin directory real Packer (v1.16)
// installs into when PACKER_PLUGIN_PATH is not set: PACKER_CONFIG_DIR's
// .packer.d/plugins; else ~/.packer.d/plugins when ~/.packer.d exists; else
// $XDG_CONFIG_HOME/packer/plugins or ~/.config/packer/plugins (on Windows,
// %APPDATA%\packer.d\plugins). Empty when there is no home to find it in.
func PackerDefaultPluginDir() string {
	configDir := ".packer.d"
	if runtime.GOOS == "windows" {
		configDir = "packer.d"
	}
	if cd := os.Getenv("PACKER_CONFIG_DIR"); cd != "" {
		return filepath.Join(cd, configDir, "plugins")
	}
	if runtime.GOOS == "windows" {
		if appData := os.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, configDir, "plugins")
		}
	}
	home := os.Getenv("HOME")
	if home == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(home, configDir)); err == nil || runtime.GOOS == "windows" {
		return filepath.Join(home, configDir, "plugins")
	}
	if xdg := os.Getenv("XDG_CONFIG_HOME"); xdg != "" {
		return filepath.Join(xdg, "packer", "plugins")
	}
	return filepath.Join(home, ".config", "packer", "plugins")
}

// addPackerInstalls adds the newest version of each plugin installed in
// Packer's layout under ds.dir/host (one HOST directory of it).
func addPackerInstalls(ds dirSource, host string, add func(Found)) {
	newest := map[string]PackerInstall{}
	for _, i := range PackerInstalls(ds.dir) {
		if strings.HasPrefix(i.Source, host+"/") {
			newest[i.Name] = i // sorted: the last one wins
		}
	}
	for _, name := range slices.Sorted(maps.Keys(newest)) {
		add(Found{Kind: KindMultiComponent, Name: name, Path: newest[name].Path, Source: ds.source, Origin: ds.dir})
	}
}

// withPackerDefault adds real Packer's default plugin directory to dirs
// when PACKER_PLUGIN_PATH does not say where plugins are, so that what a
// user installed with Packer is found.
func withPackerDefault(dirs []string) []string {
	if os.Getenv("PACKER_PLUGIN_PATH") != "" {
		return dirs
	}
	def := PackerDefaultPluginDir()
	for _, d := range dirs {
		if def == "" || filepath.Clean(d) == filepath.Clean(def) {
			return dirs
		}
	}
	return append(dirs, def)
}
