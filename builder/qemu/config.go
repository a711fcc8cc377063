package qemu

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/hashicorp/go-multierror"

	sshcomm "github.com/packer-classic/packer/communicator/ssh"
	"github.com/packer-classic/packer/packer"
)

// Config is the qemu builder's configuration, with Packer's keys. The
// defaults are Packer's unless a comment says otherwise.
type Config struct {
	// ISOURL is the ISO (or, with DiskImage, the disk image) to start
	// from: a local path, a file:// URL, or an http(s) URL to download.
	ISOURL string `mapstructure:"iso_url"`
	// ISOURLs are tried in order when ISOURL is empty; the first that can
	// be had is used.
	ISOURLs []string `mapstructure:"iso_urls"`
	// ISOChecksum is "none", "TYPE:HEX" (md5, sha1, sha256, sha512), a bare
	// HEX (its type told by its length), or "file:PATH-OR-URL" of a
	// checksum file (SHA256SUMS style, or BSD style) that names the ISO.
	ISOChecksum string `mapstructure:"iso_checksum"`
	// ISOTargetPath is where a downloaded ISO is kept (default
	// packer_cache/SHA1-OF-URL.iso, or .img with DiskImage). Local files
	// are used in place.
	ISOTargetPath string `mapstructure:"iso_target_path"`

	// DiskImage says that ISOURL is a bootable disk image, copied into
	// the output directory (or used as a backing file) and booted.
	DiskImage bool `mapstructure:"disk_image"`
	// UseBackingFile makes the output a qcow2 overlay on ISOURL instead
	// of a copy of it: quick, but the output needs ISOURL to stay.
	UseBackingFile bool `mapstructure:"use_backing_file"`
	// OutputDirectory receives the image (default output-BUILDNAME); it
	// must not exist unless -force.
	OutputDirectory string `mapstructure:"output_directory"`
	// VMName is the image's file name in OutputDirectory (default
	// packer-BUILDNAME), and the artifact's id.
	VMName string `mapstructure:"vm_name"`
	// Format is qcow2 (default) or raw.
	Format string `mapstructure:"format"`
	// DiskSize is the disk's size: a number of MiB, or a number with a
	// K, M, G or T suffix. An empty disk for an ISO install gets 40960M
	// by default; a disk image keeps its own size unless DiskSize is set,
	// and is never shrunk.
	DiskSize string `mapstructure:"disk_size"`
	// DiskInterface is virtio (default), virtio-scsi, scsi or ide.
	DiskInterface string `mapstructure:"disk_interface"`
	// DiskCache is qemu's cache= for the disk (default writeback).
	DiskCache string `mapstructure:"disk_cache"`
	// DiskDiscard is qemu's discard= for the disk (default ignore).
	DiskDiscard string `mapstructure:"disk_discard"`
	// DiskCompression compresses a qcow2 output when it is compacted.
	DiskCompression bool `mapstructure:"disk_compression"`
	// SkipCompaction leaves the disk as the machine left it, instead of
	// rewriting it with qemu-img convert (which drops unused space).
	SkipCompaction bool `mapstructure:"skip_compaction"`

	// NetDevice is the guest's network card (default virtio-net).
	NetDevice string `mapstructure:"net_device"`
	// Accelerator is kvm, tcg or none (qemu's own default). When it is
	// not set, kvm is used if it can really run a guest here (a tiny
	// guest is booted to find out), else tcg.
	Accelerator string `mapstructure:"accelerator"`
	// MachineType is qemu's -machine type (default pc).
	MachineType string `mapstructure:"machine_type"`
	// CPUModel is qemu's -cpu (default host under kvm, max under tcg,
	// which gives the guest a random number instruction so its kernel's
	// entropy is ready at once; none for none).
	CPUModel string `mapstructure:"cpu_model"`
	// Memory is the guest's memory in MiB (default 512).
	Memory int `mapstructure:"memory"`
	// CPUs is the guest's number of processors (default 1).
	CPUs int `mapstructure:"cpus"`
	// Headless runs qemu without a window. Where there is no display
	// (neither DISPLAY nor WAYLAND_DISPLAY is set) qemu always runs
	// without one.
	Headless bool `mapstructure:"headless"`
	// QemuBinary is the qemu program (default qemu-system-x86_64). qemu-img
	// is looked for beside it, then on PATH.
	QemuBinary string `mapstructure:"qemu_binary"`
	// QemuArgs are extra arguments, each a flag and its values, as in
	// Packer: a flag given here replaces the builder's own entries of
	// that flag, except -netdev and -device, which are added (and replace
	// the builder's only when they use its netdev id user.0). Values may
	// use {{ .Name }}, {{ .OutputDir }} and {{ .SSHHostPort }}.
	QemuArgs [][]string `mapstructure:"qemuargs"`

	// BootWait is how long to wait before typing BootCommand (default
	// 10s). Without a BootCommand nothing is waited for.
	BootWait time.Duration `mapstructure:"boot_wait"`
	// BootCommand is not supported: see the docs.
	BootCommand []string `mapstructure:"boot_command"`

	// HostPortMin and HostPortMax bound the loopback port forwarded to the
	// guest's SSH port (default 2222-4444).
	HostPortMin int `mapstructure:"host_port_min"`
	HostPortMax int `mapstructure:"host_port_max"`
	// ShutdownCommand is run through the communicator to stop the guest;
	// when empty, qemu is stopped without the guest's help.
	ShutdownCommand string `mapstructure:"shutdown_command"`
	// ShutdownTimeout bounds the wait for qemu to exit after
	// ShutdownCommand (default 5m).
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`

	// Communicator is ssh (default) or none.
	Communicator   string `mapstructure:"communicator"`
	sshcomm.Config `mapstructure:",squash"`

	packer.PackerConfig `mapstructure:",squash"`

	checksum checksum // ISOChecksum, parsed by prepare
}

// diskSizePattern is what disk_size accepts: MiB, or a size with a suffix.
var diskSizePattern = regexp.MustCompile(`^[1-9][0-9]*[KMGT]?$`)

var (
	diskInterfaces = []string{"virtio", "virtio-scsi", "scsi", "ide"}
	netDevices     = []string{"virtio-net", "virtio-net-pci", "e1000", "e1000e", "rtl8139", "ne2k_pci", "i82551",
		"i82557b", "i82559er", "pcnet", "vmxnet3"}
	formats      = []string{"qcow2", "raw"}
	accelerators = []string{"", "kvm", "tcg", "none"}
)

// prepare fills in the defaults and checks c, returning every problem at
// once, each naming its key.
func (c *Config) prepare() error {
	var errs *multierror.Error
	add := func(format string, args ...any) { errs = multierror.Append(errs, fmt.Errorf(format, args...)) }

	name := c.PackerBuildName
	if name == "" {
		name = "qemu"
	}
	if c.OutputDirectory == "" {
		c.OutputDirectory = "output-" + name
	}
	if c.VMName == "" {
		c.VMName = "packer-" + name
	}
	if c.Format == "" {
		c.Format = "qcow2"
	}
	if c.DiskInterface == "" {
		c.DiskInterface = "virtio"
	}
	if c.DiskCache == "" {
		c.DiskCache = "writeback"
	}
	if c.DiskDiscard == "" {
		c.DiskDiscard = "ignore"
	}
	if c.NetDevice == "" {
		c.NetDevice = "virtio-net"
	}
	if c.MachineType == "" {
		c.MachineType = "pc"
	}
	if c.Memory == 0 {
		c.Memory = 512
	}
	if c.CPUs == 0 {
		c.CPUs = 1
	}
	if c.QemuBinary == "" {
		c.QemuBinary = "qemu-system-x86_64"
	}
	if c.BootWait == 0 {
		c.BootWait = 10 * time.Second
	}
	if c.HostPortMin == 0 {
		c.HostPortMin = 2222
	}
	if c.HostPortMax == 0 {
		c.HostPortMax = 4444
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 5 * time.Minute
	}
	if c.Communicator == "" {
		c.Communicator = "ssh"
	}
	if !c.DiskImage && c.DiskSize == "" {
		c.DiskSize = "40960M"
	}
	if c.DiskSize != "" && strings.TrimRight(c.DiskSize, "0123456789") == "" {
		c.DiskSize += "M" // Packer's plain number is MiB
	}

	if c.ISOURL != "" && len(c.ISOURLs) > 0 {
		add("iso_url and iso_urls: give one or the other")
	}
	if c.ISOURL != "" {
		c.ISOURLs = []string{c.ISOURL}
	}
	if len(c.ISOURLs) == 0 {
		add("iso_url: required (the ISO, or with disk_image the disk image, to start from)")
	}
	if c.ISOChecksum == "" {
		add(`iso_checksum: required; give "sha256:HEX", "file:SHA256SUMS", or "none" to skip the check`)
	} else if sum, err := parseChecksum(c.ISOChecksum); err != nil {
		add("iso_checksum: %v", err)
	} else {
		c.checksum = sum
	}
	for _, key := range []struct{ name, path string }{{"output_directory", c.OutputDirectory}, {"iso_target_path", c.ISOTargetPath}} {
		if key.path != "" {
			if err := packer.CheckOutputPath(key.name, key.path); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
	}
	if c.VMName == "." || c.VMName == ".." || strings.ContainsAny(c.VMName, `/\`) {
		add("vm_name: %q must be a file name, without a directory", c.VMName)
	}
	if !slices.Contains(formats, c.Format) {
		add("format: %q is not one of %s", c.Format, strings.Join(formats, ", "))
	}
	if c.UseBackingFile && (!c.DiskImage || c.Format != "qcow2") {
		add(`use_backing_file: needs "disk_image": true and "format": "qcow2"`)
	}
	if c.DiskSize != "" && !diskSizePattern.MatchString(c.DiskSize) {
		add("disk_size: %q is not a size; give MiB (40960) or a number with K, M, G or T (40G)", c.DiskSize)
	}
	if !slices.Contains(diskInterfaces, c.DiskInterface) {
		add("disk_interface: %q is not one of %s", c.DiskInterface, strings.Join(diskInterfaces, ", "))
	}
	if !slices.Contains(netDevices, c.NetDevice) {
		add("net_device: %q is not one of %s", c.NetDevice, strings.Join(netDevices, ", "))
	}
	if !slices.Contains(accelerators, c.Accelerator) {
		add("accelerator: %q is not one of kvm, tcg, none (or leave it out to use kvm where it works, else tcg)", c.Accelerator)
	}
	if c.Memory < 0 {
		add("memory: %d is not a number of MiB", c.Memory)
	}
	if c.CPUs < 0 {
		add("cpus: %d is not a number of processors", c.CPUs)
	}
	if c.HostPortMin < 1 || c.HostPortMax > 65535 || c.HostPortMin > c.HostPortMax {
		add("host_port_min and host_port_max: %d-%d is not a range of ports (1-65535, min <= max)", c.HostPortMin, c.HostPortMax)
	}
	if len(c.BootCommand) > 0 {
		add("boot_command: typing at the guest is not supported by this builder; boot a disk image (disk_image) or pass the kernel command line with -kernel/-append in qemuargs")
	}
	for i, arg := range c.QemuArgs {
		if len(arg) == 0 || !strings.HasPrefix(arg[0], "-") {
			add("qemuargs[%d]: %q must start with a flag such as -kernel", i, arg)
			continue
		}
		for j, v := range arg {
			if _, err := template.New("").Option("missingkey=error").Parse(v); err != nil {
				add("qemuargs[%d][%d]: %v", i, j, err)
			}
		}
	}
	switch c.Communicator {
	case "ssh":
		if err := c.Config.Prepare(); err != nil {
			for _, e := range flatten(err) {
				errs = multierror.Append(errs, e)
			}
		}
	case "none":
		if c.ShutdownCommand != "" {
			add(`shutdown_command: needs a communicator to run it; with "communicator": "none" qemu is stopped when provisioning ends`)
		}
	default:
		add(`communicator: %q is not one of ssh, none`, c.Communicator)
	}
	return errs.ErrorOrNil()
}

// flatten returns the errors a multierror holds, or err alone.
func flatten(err error) []error {
	var m *multierror.Error
	if errors.As(err, &m) {
		return m.Errors
	}
	return []error{err}
}

// hasDisplay reports whether a qemu window could be shown here.
func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
