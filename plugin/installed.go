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
// beside it at install time. A mismatch is an error showing both digests, so
// the user can tell a changed binary from a changed checksum file.
func VerifyInstalled(path string) error {
	return verifySum(path, filepath.Join(filepath.Dir(path), ChecksumFileName(filepath.Base(path))))
}

// verifySum checks path against the sha256 in sumFile.
func verifySum(path, sumFile string) error {
	want, err := readSum(sumFile)
	if err != nil {
		return fmt.Errorf("%s has no usable checksum file beside it: %w; reinstall it with packer plugins install", path, err)
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
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s changed since it was installed: expected sha256 %s (recorded in %s at install time), actual sha256 %s; "+
			"reinstall it with packer plugins install, or remove it with packer plugins remove",
			path, want, filepath.Base(sumFile), got)
	}
	return nil
}

// InstalledSum returns the checksum written beside an installed binary: a
// sha256 in hex, or an error saying the file does not hold one (it is read
// with a bound, and never echoed, as anyone who can write there could have
// put anything in it).
func InstalledSum(path string) (string, error) {
	return readSum(filepath.Join(filepath.Dir(path), ChecksumFileName(filepath.Base(path))))
}

// readSum reads the sha256 in hex that sumFile holds.
func readSum(sumFile string) (string, error) {
	f, err := os.Open(sumFile)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2*sha256.Size+2))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", sumFile, err)
	}
	sum := strings.TrimSpace(string(data))
	if decoded, err := hex.DecodeString(sum); err != nil || len(decoded) != sha256.Size {
		return "", fmt.Errorf("%s does not hold a sha256 in hex", sumFile)
	}
	return sum, nil
}

// LooksLikeVersion reports whether an installed version directory's name
// ("v1.2.3") holds a version.
func LooksLikeVersion(dir string) bool {
	_, err := version.NewVersion(strings.TrimPrefix(dir, "v"))
	return err == nil
}

// checksumSuffix ends the name of the file holding a binary's sha256.
const checksumSuffix = "_SHA256SUM"

// ChecksumFileName is the file beside an installed binary holding its
// sha256, written at install time.
func ChecksumFileName(binary string) string {
	return strings.TrimSuffix(binary, ".exe") + checksumSuffix
}
