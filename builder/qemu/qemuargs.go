package qemu

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
)

// netdevID is the id of the builder's own user-mode network, which
// forwards the SSH port.
const netdevID = "user.0"

// machine is what the qemu command line needs beyond the configuration,
// known once the build runs.
type machine struct {
	accel       string // kvm or tcg; "" leaves qemu's default (accelerator none)
	cpuModel    string // "" for qemu's default
	disk        string // the working disk
	iso         string // the ISO to boot from, when not a disk image
	sshHostPort int    // the loopback port forwarded to the guest's SSH port; 0 for none
	display     bool   // show qemu's window
}

// templateData are the values qemuargs may use, as in Packer.
type templateData struct {
	Name        string // vm_name
	OutputDir   string // output_directory
	SSHHostPort int    // the forwarded port
}

// arg is one entry of the command line: a flag and its value, if any.
// key says which entries replace which: the flag, or for the builder's
// network entries the flag and the netdev id.
type arg struct {
	key   string
	flag  string
	value string
}

// qemuArgs builds qemu's arguments: the builder's own, with c.QemuArgs laid
// over them as Packer does (a flag given in qemuargs replaces the builder's
// entries of that flag; -netdev and -device are added, replacing the
// builder's network entries only when they use its netdev id).
func qemuArgs(c *Config, m machine) ([]string, error) {
	user, err := userArgs(c, m)
	if err != nil {
		return nil, err
	}
	given := map[string]bool{}
	for _, a := range user {
		given[a.key] = true
	}
	var out []string
	emit := func(a arg) {
		out = append(out, a.flag)
		if a.value != "" {
			out = append(out, a.value)
		}
	}
	emitted := map[string]bool{}
	for _, d := range defaultArgs(c, m) {
		if !given[d.key] {
			emit(d)
			continue
		}
		if emitted[d.key] {
			continue
		}
		emitted[d.key] = true
		for _, a := range user {
			if a.key == d.key {
				emit(a)
			}
		}
	}
	for _, a := range user {
		if !emitted[a.key] {
			emit(a)
		}
	}
	return out, nil
}

// defaultArgs are the builder's own arguments, before qemuargs.
func defaultArgs(c *Config, m machine) []arg {
	var args []arg
	add := func(flag, value string) { args = append(args, arg{key: flag, flag: flag, value: value}) }
	add("-name", c.VMName)
	machineType := "type=" + c.MachineType
	if m.accel != "" {
		machineType += ",accel=" + m.accel
	}
	add("-machine", machineType)
	if m.cpuModel != "" {
		add("-cpu", m.cpuModel)
	}
	add("-m", strconv.Itoa(c.Memory)+"M")
	add("-smp", strconv.Itoa(c.CPUs))
	if !m.display {
		add("-display", "none")
	}
	netdev := "user,id=" + netdevID
	if m.sshHostPort != 0 {
		netdev += fmt.Sprintf(",hostfwd=tcp:127.0.0.1:%d-:%d", m.sshHostPort, c.Config.Port)
	}
	args = append(args,
		arg{key: "-netdev:" + netdevID, flag: "-netdev", value: netdev},
		arg{key: "-device:" + netdevID, flag: "-device", value: c.NetDevice + ",netdev=" + netdevID})
	drive := fmt.Sprintf("file=%s,cache=%s,discard=%s,format=%s", escapeOption(m.disk), c.DiskCache, c.DiskDiscard, c.Format)
	switch c.DiskInterface {
	case "virtio-scsi":
		add("-device", "virtio-scsi-pci,id=scsi0")
		add("-device", "scsi-hd,bus=scsi0.0,drive=drive0")
		add("-drive", "if=none,id=drive0,"+drive)
	default:
		add("-drive", "if="+c.DiskInterface+","+drive)
	}
	if m.iso != "" {
		add("-drive", "file="+escapeOption(m.iso)+",media=cdrom")
		add("-boot", "once=d")
	}
	return args
}

// userArgs reads c.QemuArgs: each entry's values are filled in as
// templates and joined, as Packer joins them.
func userArgs(c *Config, m machine) ([]arg, error) {
	data := templateData{Name: c.VMName, OutputDir: c.OutputDirectory, SSHHostPort: m.sshHostPort}
	var args []arg
	for i, entry := range c.QemuArgs {
		if len(entry) == 0 {
			return nil, fmt.Errorf("qemuargs[%d]: empty entry", i)
		}
		var value strings.Builder
		for j, v := range entry[1:] {
			tpl, err := template.New("").Option("missingkey=error").Parse(v)
			if err != nil {
				return nil, fmt.Errorf("qemuargs[%d][%d]: %w", i, j+1, err)
			}
			if err := tpl.Execute(&value, data); err != nil {
				return nil, fmt.Errorf("qemuargs[%d][%d]: %w (qemuargs may use {{ .Name }}, {{ .OutputDir }} and {{ .SSHHostPort }})", i, j+1, err)
			}
		}
		flag := entry[0]
		a := arg{key: flag, flag: flag, value: value.String()}
		switch flag {
		case "-netdev", "-device":
			// Added to the builder's, unless they take over its network.
			a.key = fmt.Sprintf("%s#%d", flag, i)
			option := "id="
			if flag == "-device" {
				option = "netdev="
			}
			if hasOption(a.value, option+netdevID) {
				a.key = flag + ":" + netdevID
			}
		}
		args = append(args, a)
	}
	return args, nil
}

// hasOption reports whether a qemu option string (a,b=c,...) holds opt.
func hasOption(options, opt string) bool {
	for _, o := range strings.Split(options, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// escapeOption doubles the commas in a value of a qemu option string, as
// qemu reads them, so a path with a comma stays one value.
func escapeOption(v string) string {
	return strings.ReplaceAll(v, ",", ",,")
}
