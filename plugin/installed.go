package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"
)

// Installed is one installed plugin version.
type Installed struct {
	Name    string
	Version string
	Path    string
}

// InstalledVersions lists the versions of name under dir, lowest first.
func InstalledVersions(dir, name string) []Installed {
	versions, _ := os.ReadDir(filepath.Join(dir, name))
	type iv struct {
		v *version.Version
		i Installed
	}
	var found []iv
	for _, v := range versions {
		parsed, err := version.NewVersion(strings.TrimPrefix(v.Name(), "v"))
		if err != nil || !strings.HasPrefix(v.Name(), "v") {
			continue
		}
		for _, binary := range candidates(filepath.Join(dir, name, v.Name()), "packer-plugin-"+name) {
			if _, err := os.Stat(binary); err == nil {
				found = append(found, iv{parsed, Installed{Name: name, Version: parsed.String(), Path: binary}})
				break
			}
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].v.LessThan(found[b].v) })
	out := make([]Installed, len(found))
	for i, f := range found {
		out[i] = f.i
	}
	return out
}

// VerifyInstalled checks an installed binary against the checksum written
// beside it at install time.
func VerifyInstalled(path string) error {
	want, err := os.ReadFile(filepath.Join(filepath.Dir(path), ChecksumFileName(filepath.Base(path))))
	if err != nil {
		return fmt.Errorf("%s has no checksum file beside it: %w; reinstall it with packer plugins install", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.TrimSpace(string(want)) {
		return fmt.Errorf("%s changed since it was installed (its checksum no longer matches %s); reinstall it with packer plugins install, or remove it with packer plugins remove", path, ChecksumFileName(filepath.Base(path)))
	}
	return nil
}

// InstalledSum returns the checksum written beside an installed binary.
func InstalledSum(path string) (string, error) {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(path), ChecksumFileName(filepath.Base(path))))
	return strings.TrimSpace(string(data)), err
}

// LooksLikeVersion reports whether an installed version directory's name
// ("v1.2.3") holds a version.
func LooksLikeVersion(dir string) bool {
	_, err := version.NewVersion(strings.TrimPrefix(dir, "v"))
	return err == nil
}

// ChecksumFileName is the file beside an installed binary holding its
// sha256, written at install time.
func ChecksumFileName(binary string) string {
	return strings.TrimSuffix(binary, ".exe") + "_SHA256SUM"
}
