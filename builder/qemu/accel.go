package qemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// How long kvm gets to run the test guest. A kvm that cannot run guests
// hangs (burning a CPU), so the bound is what such a machine pays for not
// naming its accelerator, and it should be short; but a loaded machine is
// slow to start any qemu. So the same guest runs under tcg at the same time,
// and kvm, which runs it natively, must answer within kvmMargin times tcg's
// time plus kvmSlack, and within kvmProbeMax in any case.
const (
	kvmMargin   = 2
	kvmSlack    = 150 * time.Millisecond
	kvmProbeMax = 3 * time.Second
)

// probeByte is what the test guest writes to its serial port.
const probeByte = 'K'

// bootSector is a 512-byte master boot record whose code writes probeByte
// and a newline to the first serial port and halts: the smallest guest that shows a
// virtual CPU really runs.
func bootSector() []byte {
	code := []byte{
		0xba, 0xf8, 0x03, // mov dx, 0x3f8 (COM1)
		0xb0, probeByte, // mov al, 'K'
		0xee,       // out dx, al
		0xb0, '\n', // mov al, '\n': a whole line, read as one
		0xee,       // out dx, al
		0xfa,       // cli
		0xf4,       // hlt
		0xeb, 0xfd, // jmp back to hlt
	}
	sector := make([]byte, 512)
	copy(sector, code)
	sector[510], sector[511] = 0x55, 0xaa // the BIOS boots only a signed sector
	return sector
}

// acceleration is the accelerator and CPU model a build runs with, and why.
type acceleration struct {
	accel    string // kvm, tcg, or "" for qemu's default
	cpuModel string
	why      string // said to the user
}

// chooseAcceleration resolves c.Accelerator: a named one is used as it is;
// when none is named, kvm is used only if it runs the test guest (see
// probeKVM), else tcg.
func chooseAcceleration(ctx context.Context, c *Config) acceleration {
	cpu := func(def string) string {
		if c.CPUModel != "" {
			return c.CPUModel
		}
		return def
	}
	switch c.Accelerator {
	case "kvm":
		return acceleration{accel: "kvm", cpuModel: cpu("host"), why: "accelerator is kvm"}
	case "tcg":
		return acceleration{accel: "tcg", cpuModel: cpu("max"), why: "accelerator is tcg"}
	case "none":
		return acceleration{cpuModel: cpu(""), why: "accelerator is none: qemu's default"}
	}
	tcg := acceleration{accel: "tcg", cpuModel: cpu("max")}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		tcg.why = fmt.Sprintf("kvm cannot be used (%v)", err)
		return tcg
	}
	f.Close()
	took, err := probeKVM(ctx, c.QemuBinary, c.MachineType, cpu("host"), cpu("max"))
	if err != nil {
		tcg.why = fmt.Sprintf("/dev/kvm exists, but kvm could not run a test guest: %v", err)
		return tcg
	}
	return acceleration{accel: "kvm", cpuModel: cpu("host"), why: fmt.Sprintf("kvm ran a test guest in %s", took.Round(time.Millisecond))}
}

// probeKVM runs the test guest under kvm and under tcg at once and reports
// how long kvm took, or why it did not answer in time.
func probeKVM(ctx context.Context, qemu, machineType, kvmCPU, tcgCPU string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, kvmProbeMax)
	defer cancel()
	type result struct {
		took time.Duration
		err  error
	}
	kvm := make(chan result, 1)
	start := time.Now()
	go func() {
		took, err := probe(ctx, qemu, machineType, "kvm", kvmCPU)
		kvm <- result{took, err}
	}()
	tcgTook, tcgErr := probe(ctx, qemu, machineType, "tcg", tcgCPU)
	if tcgErr != nil {
		// Without tcg's time to go by, kvm gets the whole kvmProbeMax.
		r := <-kvm
		if errors.Is(r.err, context.DeadlineExceeded) && ctx.Err() != nil {
			return 0, fmt.Errorf("it did not answer within %s", kvmProbeMax)
		}
		return r.took, r.err
	}
	bound := min(kvmMargin*tcgTook+kvmSlack, kvmProbeMax)
	timer := time.NewTimer(bound - time.Since(start))
	defer timer.Stop()
	select {
	case r := <-kvm:
		return r.took, r.err
	case <-timer.C:
		cancel()
		<-kvm
		return 0, fmt.Errorf("it did not answer within %s (tcg did in %s)", bound.Round(time.Millisecond), tcgTook.Round(time.Millisecond))
	}
}

// probe boots bootSector with accel and reports how long it took to write
// its byte, or why it did not before ctx ended.
func probe(ctx context.Context, qemu, machineType, accel, cpuModel string) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "packer-qemu-probe-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	disk := filepath.Join(dir, "probe.img")
	if err := os.WriteFile(disk, bootSector(), 0o600); err != nil {
		return 0, err
	}
	args := []string{
		"-machine", "type=" + machineType + ",accel=" + accel, "-cpu", cpuModel, "-m", "16",
		"-nodefaults", "-display", "none", "-monitor", "none", "-serial", "stdio",
		"-drive", "file=" + escapeOption(disk) + ",format=raw,if=ide",
	}
	wrote := make(chan struct{})
	var once sync.Once
	start := time.Now()
	p, err := startProcess(qemu, args, "qemu "+accel+" probe", func(line string) {
		if strings.TrimSpace(line) == string(rune(probeByte)) {
			once.Do(func() { close(wrote) })
		}
	})
	if err != nil {
		return 0, err
	}
	defer p.kill()
	select {
	case <-wrote:
		return time.Since(start), nil
	case <-p.exited:
		select {
		case <-wrote: // the byte came with the end of its output
			return time.Since(start), nil
		default:
		}
		return 0, p.exitError()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
