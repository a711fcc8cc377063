package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/internal/testdeps"
)

// TestE2E_realSDKQemuPluginBuildsTheTestMachine builds the test machine
// with HashiCorp's packer-plugin-qemu v1.1.7, unchanged (but built with SDK
// v0.6.10, see testdata/qemuplugin/build.sh), installed with
// `packer plugins install --path` in Packer's layout, where it overrides
// the built-in qemu; packer's built-in shell provisioner runs over its SSH
// communicator and the built-in checksum post-processor sums its image.
func TestE2E_realSDKQemuPluginBuildsTheTestMachine(t *testing.T) {
	vm := needTestVM(t)
	qemuPlugin := testdeps.SDKQemuPlugin(t)
	e := newEnv(t)
	plugins := filepath.Join(e.home, "plugins")
	e.extra = append(e.extra, "PACKER_PLUGIN_PATH="+plugins)
	if r := e.run("plugins", "install", "--path", qemuPlugin, "github.com/hashicorp/qemu"); r.code != 0 {
		t.Fatalf("packer plugins install --path: %v", r)
	}
	if r := e.run("plugins"); !strings.Contains(r.stdout, "overrides the built-in qemu") {
		t.Errorf("packer plugins does not say the plugin overrides the built-in qemu:\n%v", r)
	}
	out := filepath.Join(e.dir, "out")
	e.writeFile("t.json", `{
  "builders": [{
    "type": "qemu", "iso_url": "`+vm+`/rootfs.img", "iso_checksum": "file:`+vm+`/SHA256SUMS",
    "disk_image": true, "format": "raw", "skip_resize_disk": true, "vm_name": "testvm.raw",
    "output_directory": "`+out+`", "headless": true, "memory": 256, "accelerator": "tcg", "boot_wait": "0s",
    "qemuargs": [["-kernel", "`+vm+`/vmlinuz"], ["-initrd", "`+vm+`/initrd.img"], ["-append", "console=ttyS0 root=/dev/vda rw quiet"]],
    "ssh_username": "root", "ssh_private_key_file": "`+vm+`/id_ed25519", "ssh_timeout": "5m", "shutdown_command": "poweroff"
  }],
  "provisioners": [{"type": "shell", "inline": ["mkdir -p /srv", "echo \"built by the SDK qemu plugin on kernel $(uname -r)\" > /srv/sdk-info", "cat /srv/sdk-info"]}],
  "post-processors": [{"type": "checksum", "checksum_types": ["sha256"], "output": "`+out+`/testvm.raw.sha256"}]
}`)
	r := e.run("build", "t.json")
	if r.code != 0 {
		t.Fatalf("packer build with the SDK qemu plugin: %v", r)
	}
	mustContain(t, r, "stdout", "Connected to SSH!")
	mustContain(t, r, "stdout", "built by the SDK qemu plugin on kernel 6.")
	if procs := qemuProcesses(e.dir); len(procs) > 0 {
		t.Errorf("qemu still runs after the build:\n%s", strings.Join(procs, "\n"))
	}
	image := filepath.Join(out, "testvm.raw")
	if got := debugfsCat(t, image, "/srv/sdk-info"); !strings.HasPrefix(got, "built by the SDK qemu plugin on kernel 6.") {
		t.Errorf("/srv/sdk-info in the image = %q, want the shell provisioner's line", got)
	}
	sums, err := os.ReadFile(filepath.Join(out, "testvm.raw.sha256"))
	if err != nil {
		t.Fatalf("the checksum post-processor wrote nothing: %v", err)
	}
	assertSumOf(t, string(sums), image)
	waitNoProcessesFrom(t, plugins)
}
