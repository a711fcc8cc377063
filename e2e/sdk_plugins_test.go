//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packer plugins lists an SDK plugin's components with its SDK and API,
// and a plugin whose describe fails in the last column, so the table is
// not padded to the error's width (as it was).
func TestE2E_packerPluginsListsSDKPluginsAndKeepsErrorsOutOfTheColumns(t *testing.T) {
	s := newSDKEnv(t, "")
	if err := os.WriteFile(filepath.Join(s.plugins, "packer-plugin-broken"), []byte("#!/bin/sh\necho this is not a description\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := s.run("plugins")
	mustContain(t, r, "stdout", "(cannot describe)")
	if !hasPluginRow(r.stdout, "builder", "fixture-local", "plugin-dir", "v1.0.0") || !strings.Contains(r.stdout, "v1.0.0 (packer-plugin-sdk 0.6.10, API x5.0)") {
		t.Errorf("no row for the SDK builder fixture-local with its versions:\n%v", r)
	}
	header := strings.SplitN(r.stdout, "\n", 2)[0]
	if i := strings.Index(header, "NAME"); i < 0 || i > 24 {
		t.Errorf("the first column is %d wide: padded to an error's width?\n%s", i, r.stdout)
	}
}
