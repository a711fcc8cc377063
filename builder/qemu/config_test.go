package qemu

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/packer-classic/packer/packer"
)

// keyFile writes a fresh private key that the ssh configuration can read.
func keyFile(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func minimal(t *testing.T) map[string]any {
	return map[string]any{
		"iso_url": "disk.img", "iso_checksum": "none", "disk_image": true,
		"ssh_username": "root", "ssh_private_key_file": keyFile(t),
	}
}

func prepare(t *testing.T, raws ...any) (*Builder, []string, error) {
	t.Helper()
	b := new(Builder)
	warnings, err := b.Prepare(append(raws, map[string]any{packer.BuildNameConfigKey: "box"})...)
	return b, warnings, err
}

func TestPrepare_defaultsArePackers(t *testing.T) {
	b, warnings, err := prepare(t, minimal(t))
	if err != nil {
		t.Fatal(err)
	}
	c := b.config
	for _, check := range []struct {
		key       string
		got, want any
	}{
		{"output_directory", c.OutputDirectory, "output-box"},
		{"vm_name", c.VMName, "packer-box"},
		{"format", c.Format, "qcow2"},
		{"disk_interface", c.DiskInterface, "virtio"},
		{"net_device", c.NetDevice, "virtio-net"},
		{"memory", c.Memory, 512},
		{"cpus", c.CPUs, 1},
		{"qemu_binary", c.QemuBinary, "qemu-system-x86_64"},
		{"host_port_min", c.HostPortMin, 2222},
		{"host_port_max", c.HostPortMax, 4444},
		{"shutdown_timeout", c.ShutdownTimeout, 5 * time.Minute},
		{"boot_wait", c.BootWait, 10 * time.Second},
		{"communicator", c.Communicator, "ssh"},
		{"ssh_port", c.Config.Port, 22},
		{"disk_size (a disk image keeps its own)", c.DiskSize, ""},
		{"accelerator (chosen at run time)", c.Accelerator, ""},
	} {
		if check.got != check.want {
			t.Errorf("%s = %v, want %v", check.key, check.got, check.want)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "iso_checksum") {
		t.Errorf("want one warning about iso_checksum none, got %q", warnings)
	}

	iso := minimal(t)
	delete(iso, "disk_image")
	iso["disk_size"] = "20000"
	b, _, err = prepare(t, iso)
	if err != nil {
		t.Fatal(err)
	}
	if b.config.DiskSize != "20000M" {
		t.Errorf("a plain disk_size is MiB, as in Packer: got %q", b.config.DiskSize)
	}
	delete(iso, "disk_size")
	if b, _, _ = prepare(t, iso); b.config.DiskSize != "40960M" {
		t.Errorf("an ISO install's disk defaults to 40960M, got %q", b.config.DiskSize)
	}
}

func TestPrepare_reportsEveryProblemNamingItsKey(t *testing.T) {
	_, _, err := prepare(t, map[string]any{
		"format": "vmdk", "disk_interface": "floppy", "net_device": "carrier-pigeon", "accelerator": "hvf",
		"disk_size": "lots", "host_port_min": 5000, "host_port_max": 4000, "vm_name": "a/b",
		"use_backing_file": true, "boot_command": []string{"<enter>"}, "communicator": "winrm",
		"qemuargs":     [][]string{{"kernel", "x"}, {"-append", "{{ .Name"}},
		"iso_checksum": "sha256:abc",
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		"iso_url: required", "iso_checksum:", "format:", "disk_interface:", "net_device:", "accelerator:",
		"disk_size:", "host_port_min and host_port_max:", "vm_name:", "use_backing_file:", "boot_command:",
		"communicator:", "qemuargs[0]:", "qemuargs[1][1]:",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %q:\n%v", want, err)
		}
	}
}

func TestPrepare_sshKeysAreChecked(t *testing.T) {
	raw := minimal(t)
	delete(raw, "ssh_username")
	raw["ssh_private_key_file"] = filepath.Join(t.TempDir(), "missing")
	_, _, err := prepare(t, raw)
	if err == nil || !strings.Contains(err.Error(), "ssh_username") || !strings.Contains(err.Error(), "ssh_private_key_file") {
		t.Fatalf("want errors naming ssh_username and ssh_private_key_file, got %v", err)
	}

	none := map[string]any{"iso_url": "x.img", "iso_checksum": "none", "disk_image": true, "communicator": "none"}
	if _, _, err := prepare(t, none); err != nil {
		t.Errorf("communicator none needs no ssh keys: %v", err)
	}
	none["shutdown_command"] = "poweroff"
	if _, _, err := prepare(t, none); err == nil || !strings.Contains(err.Error(), "shutdown_command") {
		t.Errorf("a shutdown_command without a communicator cannot run: want an error naming it, got %v", err)
	}
}

func TestPrepare_isoURLAndISOURLs(t *testing.T) {
	raw := minimal(t)
	raw["iso_urls"] = []string{"a.img", "b.img"}
	if _, _, err := prepare(t, raw); err == nil || !strings.Contains(err.Error(), "iso_url and iso_urls") {
		t.Errorf("both given: want an error, got %v", err)
	}
	delete(raw, "iso_url")
	b, _, err := prepare(t, raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(b.config.ISOURLs, " "); got != "a.img b.img" {
		t.Errorf("iso_urls = %q", got)
	}
}

func TestPrepare_outputDirectoryMustStayUnderTheWorkingDirectory(t *testing.T) {
	raw := minimal(t)
	raw["output_directory"] = "../elsewhere"
	if _, _, err := prepare(t, raw); err == nil || !strings.Contains(err.Error(), "output_directory") {
		t.Errorf("want an error naming output_directory, got %v", err)
	}
}
