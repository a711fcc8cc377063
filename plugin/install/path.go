package install

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/packer-classic/packer/plugin"
)

var sourcePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// InstallPath installs the packer-plugin-sdk plugin binary at binary as
// source (HOST/ORG/NAME, such as github.com/hashicorp/qemu) in Packer's
// layout, as Packer's `packer plugins install --path` does:
//
//	DIR/HOST/ORG/NAME/packer-plugin-NAME_vVERSION_API_OS_ARCH[.exe]
//	DIR/HOST/ORG/NAME/packer-plugin-NAME_vVERSION_API_OS_ARCH[.exe]_SHA256SUM
//
// VERSION and API are from desc, the binary's describe. The copy is
// written beside its final name and renamed, so a failed install leaves
// nothing, and an installed version is replaced whole.
func (in *Installer) InstallPath(binary, source string, desc plugin.Description) (plugin.Installed, error) {
	if desc.SDK == nil {
		return plugin.Installed{}, fmt.Errorf("%s is not a packer-plugin-sdk plugin (its describe has no api_version); --path installs those, in Packer's layout; install this packer's own plugins from a catalog: packer plugins install SOURCE", binary)
	}
	parts := strings.Split(source, "/")
	if len(parts) != 3 || !sourcePart.MatchString(parts[0]) || !sourcePart.MatchString(parts[1]) || !sourcePart.MatchString(parts[2]) {
		return plugin.Installed{}, fmt.Errorf("source %q: give where the plugin comes from as HOST/ORG/NAME, such as github.com/hashicorp/qemu", source)
	}
	name := parts[2]
	if strings.HasPrefix(name, "packer-plugin-") {
		return plugin.Installed{}, fmt.Errorf("source %q: name the plugin without its packer-plugin- prefix, as in %s", source, strings.Join(append(parts[:2:2], strings.TrimPrefix(name, "packer-plugin-")), "/"))
	}
	version := strings.TrimPrefix(desc.Version, "v")
	if version == "" || strings.ContainsAny(version, "_/\\") {
		return plugin.Installed{}, fmt.Errorf("%s describes its version as %q, which cannot name an installed file", binary, desc.Version)
	}
	file := fmt.Sprintf("packer-plugin-%s_v%s_%s_%s_%s", name, version, desc.SDK.APIVersion, runtime.GOOS, runtime.GOARCH)
	if runtime.GOOS == "windows" {
		file += ".exe"
	}
	dir := filepath.Join(in.Dir, filepath.FromSlash(source))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return plugin.Installed{}, err
	}
	sum, err := copyExecutable(binary, dir, file)
	if err != nil {
		return plugin.Installed{}, err
	}
	// Packer names the checksum after the whole file name, .exe included.
	if err := os.WriteFile(filepath.Join(dir, file+"_SHA256SUM"), []byte(sum), 0o644); err != nil {
		return plugin.Installed{}, err
	}
	return plugin.Installed{Name: name, Version: version, Path: filepath.Join(dir, file)}, nil
}

// copyExecutable copies src to dir/name through a temporary file and
// returns its sha256 in hex.
func copyExecutable(src, dir, name string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, ".install-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("copying %s: %w (nothing was installed)", src, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
