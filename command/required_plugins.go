package command

// What a template's required_plugins asks for: the lock file, the installer,
// and pinning the binaries a build uses (packer init itself is init.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/packer-classic/packer/packer/template"
	"github.com/packer-classic/packer/plugin"
	"github.com/packer-classic/packer/plugin/install"
)

// LockFileName is the file beside a template that records the exact plugin
// versions and checksums `packer init` chose, so another machine resolves
// the same binaries.
const LockFileName = ".packer.lock.json"

// lockFile is the lock file's format.
type lockFile struct {
	Plugins map[string]lockEntry `json:"plugins"`
}

type lockEntry struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	SHA256  string `json:"sha256"`
}

func lockPath(templatePath string) string {
	return filepath.Join(filepath.Dir(templatePath), LockFileName)
}

func readLock(templatePath string) (lockFile, error) {
	lock := lockFile{Plugins: map[string]lockEntry{}}
	data, err := os.ReadFile(lockPath(templatePath))
	if errors.Is(err, fs.ErrNotExist) {
		return lock, nil
	}
	if err != nil {
		return lock, err
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return lock, fmt.Errorf("lock file %s: %v; fix it or delete it and run packer init", lockPath(templatePath), err)
	}
	if lock.Plugins == nil {
		lock.Plugins = map[string]lockEntry{}
	}
	return lock, nil
}

func writeLock(templatePath string, lock lockFile) error {
	data, err := json.MarshalIndent(lock, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(lockPath(templatePath), append(data, '\n'), 0o644)
}

func sortedRequired(tpl *template.Template) []*template.RequiredPlugin {
	var out []*template.RequiredPlugin
	for _, r := range tpl.RequiredPlugins {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (m *Meta) installer() (*install.Installer, error) {
	if len(m.Discovery.PluginDirs) == 0 {
		return nil, errors.New("no plugin directory: set PACKER_PLUGIN_PATH or HOME")
	}
	return &install.Installer{Dir: m.Discovery.PluginDirs[0]}, nil
}

// pinRequiredPlugins checks, before anything runs, that every plugin the
// template requires is installed in a version that matches (the lock file's
// exact version and checksum when there is one), and makes discovery use
// exactly those binaries.
func (m *Meta) pinRequiredPlugins(tpl *template.Template, templatePath string) error {
	if len(tpl.RequiredPlugins) == 0 {
		return nil
	}
	in, err := m.installer()
	if err != nil {
		return err
	}
	lock, err := readLock(templatePath)
	if err != nil {
		return err
	}
	var problems []string
	for _, req := range sortedRequired(tpl) {
		locked := lock.Plugins[req.Name]
		got, err := in.Resolve(req.Name, req.Version, locked.Version)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if err := plugin.VerifyInstalled(got.Path); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if locked.SHA256 != "" {
			if sum, _ := plugin.InstalledSum(got.Path); sum != locked.SHA256 {
				problems = append(problems, fmt.Sprintf("plugin %s %s is not the binary the lock file %s recorded (checksum %s, locked %s)", req.Name, got.Version, lockPath(templatePath), sum, locked.SHA256))
				continue
			}
		}
		if m.Discovery.Pinned == nil {
			m.Discovery.Pinned = map[string]string{}
		}
		m.Discovery.Pinned[req.Name] = got.Path
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s; run: packer init %s", strings.Join(problems, "; "), templatePath)
	}
	return nil
}
