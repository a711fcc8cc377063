package plugin

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// What packer-plugin-qemu v1.1.7 prints (shared/sdk-plugins §12), and an
// SDK v0.5 plugin's, which has no protocol_version.
const (
	qemuDescribe = `{"version":"1.1.7","sdk_version":"0.6.10","api_version":"x5.0","builders":["-packer-default-plugin-name-"],"post_processors":[],"provisioners":[],"datasources":[],"protocol_version":"v2"}`
	oldDescribe  = `{"version":"1.0.0","sdk_version":"0.5.4","api_version":"x5.0","builders":["local"],"post_processors":["probe"],"provisioners":["probe"],"datasources":[]}`
)

func TestReadDescription_readsSDKDescriptions(t *testing.T) {
	d, err := ReadDescription([]byte(qemuDescribe), "packer-plugin-qemu")
	if err != nil {
		t.Fatal(err)
	}
	if d.SDK == nil || d.SDK.SDKVersion != "0.6.10" || d.Version != "1.1.7" || !slices.Equal(d.Builders, []string{DefaultName}) {
		t.Errorf("description %+v (SDK %+v)", d, d.SDK)
	}
	if SDKComponentName(d.Builders[0]) != SDKDefaultName {
		t.Errorf("the default builder starts as %q", SDKComponentName(d.Builders[0]))
	}
	if d, err := ReadDescription([]byte(oldDescribe), "packer-plugin-fixture"); err != nil || d.SDK == nil || d.Types("packer-plugin-fixture", "post-processor") != "fixture-probe" {
		t.Errorf("SDK v0.5 description: %+v, %v", d, err)
	}
	future := strings.Replace(qemuDescribe, "x5.0", "x6.1", 1)
	if _, err := ReadDescription([]byte(future), "packer-plugin-qemu"); err == nil || !strings.Contains(err.Error(), "packer-plugin-qemu is a packer-plugin-sdk plugin (version 1.1.7, SDK 0.6.10) for plugin API x6.1") {
		t.Errorf("API x6.1: %v", err)
	}
}

func installPackerLayout(t *testing.T, dir, source, file string) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(source), file)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// sha256 of "#!/bin/sh\n"
	sum := "ab6c7cbba5a13b3a7cb5a6ad2a0f49a4b5d2cc5bd41d3b0ea5b77fc2b1c5bf67"
	os.WriteFile(path+"_SHA256SUM", []byte(sum), 0o644)
	return path
}

func TestDiscovery_findsPluginsInPackersLayout(t *testing.T) {
	dir := t.TempDir()
	suffix := "_x5.0_" + runtime.GOOS + "_" + runtime.GOARCH
	installPackerLayout(t, dir, "github.com/hashicorp/qemu", "packer-plugin-qemu_v1.1.6"+suffix)
	newest := installPackerLayout(t, dir, "github.com/hashicorp/qemu", "packer-plugin-qemu_v1.1.7"+suffix)
	installPackerLayout(t, dir, "github.com/hashicorp/qemu", "packer-plugin-qemu_v9.0.0_x5.0_plan9_mips") // another platform
	d := Discovery{PluginDirs: []string{dir}}
	all := PackerInstalls(dir)
	if len(all) != 2 || all[1].Path != newest || all[1].Source != "github.com/hashicorp/qemu" || all[1].API != "x5.0" {
		t.Fatalf("PackerInstalls = %+v", all)
	}
	// The checksum written above is not the file's: Find refuses it.
	if _, err := d.Find("builder", "qemu"); err == nil || !strings.Contains(err.Error(), "changed since it was installed") {
		t.Errorf("a binary whose checksum does not match: %v", err)
	}
	if err := CheckPackerName(newest, Description{Version: "1.1.6", SDK: &SDKDescription{APIVersion: "x5.0"}}); err == nil || !strings.Contains(err.Error(), "installed as version 1.1.7") {
		t.Errorf("a describe of another version: %v", err)
	}
	if err := CheckPackerName(newest, Description{Version: "1.1.7", SDK: &SDKDescription{APIVersion: "x5.0"}}); err != nil {
		t.Errorf("a matching describe: %v", err)
	}
	if got := PluginName(newest); got != "qemu" {
		t.Errorf("PluginName = %q", got)
	}
}
