package qemu

import (
	"slices"
	"strings"
	"testing"
)

func testConfig(t *testing.T, extra map[string]any) *Config {
	t.Helper()
	raw := minimal(t)
	for k, v := range extra {
		raw[k] = v
	}
	b, _, err := prepare(t, raw)
	if err != nil {
		t.Fatal(err)
	}
	return &b.config
}

var testMachine = machine{accel: "tcg", cpuModel: "max", disk: "output-box/packer-box", sshHostPort: 3333}

func mustArgs(t *testing.T, c *Config, m machine) []string {
	t.Helper()
	args, err := qemuArgs(c, m)
	if err != nil {
		t.Fatal(err)
	}
	return args
}

// values returns every value given to flag, in order.
func values(args []string, flag string) []string {
	var out []string
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			out = append(out, args[i+1])
		}
	}
	return out
}

func TestQemuArgs_defaults(t *testing.T) {
	args := mustArgs(t, testConfig(t, nil), testMachine)
	want := []string{
		"-name", "packer-box",
		"-machine", "type=pc,accel=tcg",
		"-cpu", "max",
		"-m", "512M",
		"-smp", "1",
		"-display", "none",
		"-netdev", "user,id=user.0,hostfwd=tcp:127.0.0.1:3333-:22",
		"-device", "virtio-net,netdev=user.0",
		"-drive", "if=virtio,file=output-box/packer-box,cache=writeback,discard=ignore,format=qcow2",
	}
	if !slices.Equal(args, want) {
		t.Errorf("got  %q\nwant %q", args, want)
	}
}

func TestQemuArgs_isoInstallBootsTheCDROMOnce(t *testing.T) {
	c := testConfig(t, map[string]any{"disk_image": false})
	m := testMachine
	m.iso = "/isos/debian,netinst.iso"
	args := mustArgs(t, c, m)
	drives := values(args, "-drive")
	if len(drives) != 2 || drives[1] != "file=/isos/debian,,netinst.iso,media=cdrom" {
		t.Errorf("want the disk and the ISO (its comma doubled for qemu), got %q", drives)
	}
	if got := values(args, "-boot"); !slices.Equal(got, []string{"once=d"}) {
		t.Errorf("-boot = %q, want once=d", got)
	}
}

func TestQemuArgs_kernelArgsKeepTheForwardedNetwork(t *testing.T) {
	c := testConfig(t, map[string]any{"qemuargs": [][]string{
		{"-kernel", "{{ .OutputDir }}/../vmlinuz"},
		{"-initrd", "initrd.img"},
		{"-append", "console=ttyS0 ", "root=/dev/vda"},
		{"-device", "virtio-rng-pci"},
		{"-m", "1024M"},
		{"-no-reboot"},
	}})
	args := mustArgs(t, c, testMachine)
	for flag, want := range map[string][]string{
		"-kernel": {"output-box/../vmlinuz"},
		"-initrd": {"initrd.img"},
		"-append": {"console=ttyS0 root=/dev/vda"},
		"-netdev": {"user,id=user.0,hostfwd=tcp:127.0.0.1:3333-:22"},
		"-device": {"virtio-net,netdev=user.0", "virtio-rng-pci"},
		"-m":      {"1024M"},
	} {
		if got := values(args, flag); !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q\nin %q", flag, got, want, args)
		}
	}
	if !slices.Contains(args, "-no-reboot") {
		t.Errorf("a flag without a value is kept: %q", args)
	}
}

func TestQemuArgs_aNetdevWithTheBuildersIDReplacesIt(t *testing.T) {
	c := testConfig(t, map[string]any{"qemuargs": [][]string{
		{"-netdev", "user,id=user.0,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:2222"},
		{"-netdev", "user,id=other"},
		{"-device", "e1000,netdev=user.0"},
	}})
	args := mustArgs(t, c, testMachine)
	if got, want := values(args, "-netdev"), []string{"user,id=user.0,hostfwd=tcp:127.0.0.1:3333-:2222", "user,id=other"}; !slices.Equal(got, want) {
		t.Errorf("-netdev: got %q, want %q", got, want)
	}
	if got, want := values(args, "-device"), []string{"e1000,netdev=user.0"}; !slices.Equal(got, want) {
		t.Errorf("-device: got %q, want %q", got, want)
	}
}

func TestQemuArgs_aDriveReplacesTheBuilders(t *testing.T) {
	c := testConfig(t, map[string]any{"qemuargs": [][]string{{"-drive", "file={{ .OutputDir }}/{{ .Name }},if=ide,format=qcow2"}}})
	if got := values(mustArgs(t, c, testMachine), "-drive"); !slices.Equal(got, []string{"file=output-box/packer-box,if=ide,format=qcow2"}) {
		t.Errorf("-drive = %q", got)
	}
}

func TestQemuArgs_unknownTemplateValueIsAnErrorNamingTheEntry(t *testing.T) {
	c := testConfig(t, map[string]any{"qemuargs": [][]string{{"-m", "1G"}, {"-append", "ip={{ .HTTPIP }}"}}})
	_, err := qemuArgs(c, testMachine)
	if err == nil || !strings.Contains(err.Error(), "qemuargs[1][1]") || !strings.Contains(err.Error(), "HTTPIP") {
		t.Errorf("want an error naming qemuargs[1][1] and HTTPIP, got %v", err)
	}
}

func TestQemuArgs_acceleratorNoneAndDisplayAndDisks(t *testing.T) {
	c := testConfig(t, map[string]any{"disk_interface": "virtio-scsi", "format": "raw", "cpus": 2})
	m := machine{disk: "d", display: true}
	args := mustArgs(t, c, m)
	if got := values(args, "-machine"); !slices.Equal(got, []string{"type=pc"}) {
		t.Errorf("accelerator none leaves qemu's default: -machine %q", got)
	}
	if slices.Contains(args, "-display") || slices.Contains(args, "-cpu") {
		t.Errorf("with a display and no cpu model, neither -display nor -cpu: %q", args)
	}
	if got := values(args, "-netdev"); !slices.Equal(got, []string{"user,id=user.0"}) {
		t.Errorf("without a communicator nothing is forwarded: -netdev %q", got)
	}
	if got := values(args, "-device"); !slices.Contains(got, "virtio-scsi-pci,id=scsi0") || !slices.Contains(got, "scsi-hd,bus=scsi0.0,drive=drive0") {
		t.Errorf("virtio-scsi needs its controller and disk devices: %q", got)
	}
	if got := values(args, "-drive"); !slices.Equal(got, []string{"if=none,id=drive0,file=d,cache=writeback,discard=ignore,format=raw"}) {
		t.Errorf("-drive = %q", got)
	}
	if got := values(args, "-smp"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("-smp = %q", got)
	}
}
