package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// KindMultiComponent is how `packer plugins` lists a multi-component
// plugin (packer-plugin-NAME), which serves several kinds.
const KindMultiComponent packer.Kind = "plugin"

// BinaryName is the file name (without any .exe suffix) a plugin of this
// kind and name has: packer-builder-null.
func BinaryName(kind packer.Kind, name string) string {
	return "packer-" + string(kind) + "-" + name
}

// ParseBinaryName splits a plugin file name such as packer-post-processor-manifest
// (or packer-builder-null.exe) into its kind and name. It reports false for a
// file that is not a plugin, so a directory scan can skip it.
func ParseBinaryName(file string) (packer.Kind, string, bool) {
	if isChecksumFile(file) {
		return "", "", false
	}
	file = strings.TrimSuffix(file, ".exe")
	rest, ok := strings.CutPrefix(file, "packer-")
	if !ok {
		return "", "", false
	}
	// Longest kind first would matter only if one kind prefixed another;
	// none does, but post-processor contains a dash, so match whole prefixes.
	for _, k := range packer.Kinds() {
		if name, ok := strings.CutPrefix(rest, string(k)+"-"); ok && name != "" {
			return k, name, true
		}
	}
	return "", "", false
}

// isChecksumFile reports whether a file name is a checksum sidecar
// (packer-plugin-NAME_SHA256SUM, written beside an installed binary), which
// discovery never takes for a plugin, whatever its mode.
func isChecksumFile(file string) bool {
	return strings.HasSuffix(strings.TrimSuffix(file, ".exe"), checksumSuffix)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// configKey is the config file's map name for a kind: builders,
// provisioners, post-processors, hooks, commands.
func configKey(kind packer.Kind) string {
	return string(kind) + "s"
}

// candidates are the file names a plugin may have in dir: on Windows the
// .exe form first.
func candidates(dir, file string) []string {
	if runtime.GOOS == "windows" {
		return []string{filepath.Join(dir, file+".exe"), filepath.Join(dir, file)}
	}
	return []string{filepath.Join(dir, file)}
}

// checkExecutable reports why path cannot be run as a plugin: missing, a
// directory, or (outside Windows, which has no execute bit) not executable.
func checkExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s does not exist", path)
		}
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory, not a plugin executable", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable (chmod +x it)", path)
	}
	return nil
}
