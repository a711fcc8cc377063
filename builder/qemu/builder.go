// Package qemu is Packer's qemu builder for this machine: it boots an ISO
// or a disk image in qemu with user-mode networking, forwards a loopback
// port to the guest's SSH server, runs the provisioners through an SSH
// communicator, shuts the guest down and leaves the compacted disk in the
// output directory.
//
// qemu runs in its own process group and dies with the plugin process (the
// parent-death signal on Linux); Run kills it on every path out, so no qemu
// outlives a build, whether it succeeds, fails, is cancelled, or its core is
// killed.
package qemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sshcomm "github.com/packer-classic/packer/communicator/ssh"
	"github.com/packer-classic/packer/packer"
)

// BuilderId identifies the qemu builder's artifacts, as in Packer.
const BuilderId = "transcend.qemu"

// Builder is the qemu builder. Its zero value is ready for Prepare.
type Builder struct {
	config Config
}

// Prepare reads and checks the configuration, reporting every problem at
// once.
func (b *Builder) Prepare(raws ...any) ([]string, error) {
	var c Config
	if err := packer.DecodeConfig(&c, raws...); err != nil {
		return nil, err
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}
	var warnings []string
	if c.ISOChecksum == "none" {
		warnings = append(warnings, `iso_checksum is "none": the source is used without checking it`)
	}
	b.config = c
	return warnings, nil
}

// Run builds the image. A build that fails or is cancelled kills qemu and
// removes its output directory (unless -on-error=abort, which keeps the
// directory; qemu is killed all the same).
func (b *Builder) Run(ctx context.Context, ui packer.Ui, hook packer.Hook) (_ packer.Artifact, err error) {
	c := b.config
	qemu, err := exec.LookPath(c.QemuBinary)
	if err != nil {
		return nil, fmt.Errorf("qemu_binary: %w (Debian: apt-get install qemu-system-x86)", err)
	}
	img, err := qemuImg(qemu)
	if err != nil {
		return nil, err
	}
	out := c.OutputDirectory
	if err := packer.ClaimOutputDirectory(ui, "output_directory", out, c.PackerForce); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && c.PackerOnError != "abort" {
			os.RemoveAll(out)
		}
	}()

	// The accelerator probe runs while the source is found and the disk
	// made; Run does not return before it has ended.
	probeCtx, stopProbe := context.WithCancel(ctx)
	chosen := make(chan acceleration, 1)
	go func() { chosen <- chooseAcceleration(probeCtx, &c) }()
	var accel *acceleration
	defer func() {
		stopProbe()
		if accel == nil {
			<-chosen
		}
	}()

	extension := "iso"
	if c.DiskImage {
		extension = "img"
	}
	src, err := (&source{urls: c.ISOURLs, checksum: c.checksum, targetPath: c.ISOTargetPath, extension: extension, ui: ui}).fetch(ctx)
	if err != nil {
		return nil, err
	}
	disk := filepath.Join(out, c.VMName)
	ui.Say(fmt.Sprintf("Creating the disk %s", disk))
	if err := makeDisk(ctx, &c, img, src, disk); err != nil {
		return nil, fmt.Errorf("creating the disk: %w", err)
	}
	got := <-chosen
	accel = &got
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ui.Say(fmt.Sprintf("Using the %s accelerator: %s", acceleratorName(got.accel), got.why))

	m := machine{accel: got.accel, cpuModel: got.cpuModel, disk: disk, display: !c.Headless && hasDisplay()}
	if !c.DiskImage {
		m.iso = src
	}
	if !c.Headless && !m.display {
		ui.Message("There is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set): qemu runs headless")
	}
	proc, err := startQemu(ctx, ui, &c, qemu, &m)
	if err != nil {
		return nil, err
	}
	defer proc.kill()

	// The rest stops when qemu does, saying why.
	vmCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-proc.exited:
			cancel(errExited)
		case <-vmCtx.Done():
		}
	}()
	explain := func(doing string, err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", doing, ctx.Err())
		}
		if errors.Is(context.Cause(vmCtx), errExited) {
			return fmt.Errorf("%s: qemu ended: %w", doing, proc.exitError())
		}
		return fmt.Errorf("%s: %w", doing, err)
	}

	var comm packer.Communicator
	host, port := "127.0.0.1", m.sshHostPort
	if c.Communicator == "ssh" {
		if c.Config.Host != "" {
			host, port = c.Config.Host, c.Config.Port
		}
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		ui.Say(fmt.Sprintf("Waiting for SSH on %s (forwarded to the guest's port %d)", addr, c.Config.Port))
		if err := waitForGreeting(vmCtx, addr, c.Config.Timeout); err != nil {
			return nil, explain("waiting for SSH", err)
		}
		ssh, err := sshcomm.Connect(vmCtx, &c.Config, host, port)
		if err != nil {
			return nil, explain("connecting with SSH", err)
		}
		defer ssh.Close()
		comm = ssh
		ui.Say("Connected to SSH")
	}

	data := map[string]any{
		"ID": c.VMName, "ConnType": c.Communicator, "Host": host, "Port": port,
		"User": c.Config.Username, "OutputDir": out, "PackerRunUUID": os.Getenv("PACKER_RUN_UUID"),
	}
	if err := hook.Run(vmCtx, packer.HookProvision, ui, comm, data); err != nil {
		return nil, explain("provisioning", err)
	}
	if err := shutdown(vmCtx, ui, &c, comm, proc); err != nil {
		return nil, err
	}
	if closer, ok := comm.(io.Closer); ok {
		closer.Close()
	}
	if !c.SkipCompaction && !c.UseBackingFile {
		ui.Say(fmt.Sprintf("Compacting the disk %s", disk))
		if err := compactDisk(ctx, &c, img, disk); err != nil {
			return nil, fmt.Errorf("compacting the disk: %w", err)
		}
	}
	return &Artifact{dir: out, disk: disk, config: c, accel: got.accel}, nil
}

func acceleratorName(accel string) string {
	if accel == "" {
		return "default (none)"
	}
	return accel
}

// startQemu starts qemu with the forwarded SSH port in m (which it sets).
// When another program takes the port between the check and qemu's bind,
// qemu says so and exits; another port is tried.
func startQemu(ctx context.Context, ui packer.Ui, c *Config, qemu string, m *machine) (*process, error) {
	tried := map[int]bool{}
	for attempt := 1; ; attempt++ {
		if c.Communicator == "ssh" {
			port, err := freePort(c.HostPortMin, c.HostPortMax, tried)
			if err != nil {
				return nil, err
			}
			m.sshHostPort = port
			tried[port] = true
		}
		args, err := qemuArgs(c, *m)
		if err != nil {
			return nil, err
		}
		ui.Say(fmt.Sprintf("Starting qemu (%s)", strings.Join(append([]string{filepath.Base(qemu)}, args...), " ")))
		proc, err := startProcess(qemu, args, "qemu", nil)
		if err != nil {
			return nil, err
		}
		if m.sshHostPort == 0 {
			return proc, nil
		}
		err = waitForForward(ctx, proc, m.sshHostPort)
		if err == nil {
			return proc, nil
		}
		proc.kill()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !strings.Contains(proc.output.String(), "host forwarding") || attempt == 5 {
			return nil, fmt.Errorf("starting qemu: %w", err)
		}
		ui.Message(fmt.Sprintf("Port %d was taken before qemu could forward it; trying another", m.sshHostPort))
	}
}

// shutdown stops the guest: with shutdown_command through the
// communicator, waiting at most shutdown_timeout for qemu to exit, or, when
// there is no shutdown_command, by stopping qemu.
func shutdown(ctx context.Context, ui packer.Ui, c *Config, comm packer.Communicator, proc *process) error {
	if comm == nil || c.ShutdownCommand == "" {
		ui.Say("Stopping qemu (no shutdown_command)")
		proc.kill()
		return nil
	}
	ui.Say(fmt.Sprintf("Shutting the guest down: %s", c.ShutdownCommand))
	output := &tail{max: 10}
	cmd := &packer.RemoteCmd{Command: c.ShutdownCommand, Stdout: &lineWriter{add: output.add}, Stderr: &lineWriter{add: output.add}}
	if err := comm.Start(ctx, cmd); err != nil {
		if !proc.running() {
			return nil // it powered off already
		}
		return fmt.Errorf("shutdown_command %q: %w", c.ShutdownCommand, err)
	}
	timer := time.NewTimer(c.ShutdownTimeout)
	defer timer.Stop()
	exited := cmd.Exited()
	for {
		select {
		case <-proc.exited:
			return nil
		case <-exited:
			exited = nil
			if status := cmd.ExitStatus(); status != 0 && status != packer.CmdDisconnect && proc.running() {
				return fmt.Errorf("shutdown_command %q exited with status %d:\n%s", c.ShutdownCommand, status, output)
			}
		case <-timer.C:
			return fmt.Errorf("shutdown_timeout: qemu still runs %s after shutdown_command %q; check that the command powers the guest off, or raise shutdown_timeout",
				c.ShutdownTimeout, c.ShutdownCommand)
		case <-ctx.Done():
			if !proc.running() {
				return nil
			}
			return fmt.Errorf("shutting down: %w", ctx.Err())
		}
	}
}
