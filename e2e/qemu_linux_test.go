package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// The qemu builder's end-to-end tests boot the test machine that
// testdata/vm/build.sh makes from Debian packages (built once, cached under
// .cache/testvm/), with real qemu, through the packer binary.

var testVM struct {
	once sync.Once
	dir  string
	err  error
}

// needTestVM skips t unless qemu and the tools to build and read the test
// machine are here, and returns the machine's directory, building it on
// first use.
func needTestVM(t testing.TB) string {
	t.Helper()
	testdeps.Need(t, "qemu-system-x86_64", "qemu-img", "debugfs", "mke2fs", "apt-get", "dpkg-deb")
	testVM.once.Do(func() {
		cmd := exec.Command("bash", "../testdata/vm/build.sh")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			testVM.err = err
			testVM.dir = stderr.String()
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		testVM.dir = lines[len(lines)-1]
	})
	if testVM.err != nil {
		t.Fatalf("testdata/vm/build.sh failed: %v\n%s", testVM.err, testVM.dir)
	}
	return testVM.dir
}

// qemuProcesses lists the qemu processes whose command line holds marker
// (a test's own directory, which its output directory is under).
func qemuProcesses(marker string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if strings.Contains(filepath.Base(args[0]), "qemu-system") && strings.Contains(string(cmdline), marker) {
			found = append(found, e.Name()+": "+strings.Join(args, " "))
		}
	}
	return found
}

// debugfsCat reads a file out of an ext4 image with debugfs.
func debugfsCat(t *testing.T, image, path string) string {
	t.Helper()
	out, err := exec.Command("debugfs", "-R", "cat "+path, image).Output()
	if err != nil {
		t.Fatalf("debugfs cat %s: %v", path, err)
	}
	return string(out)
}

func TestE2E_QemuBuildsAnImageHoldingWhatTheProvisionersWrote(t *testing.T) {
	vm := needTestVM(t)
	e := newEnv(t)
	example, err := filepath.Abs(filepath.Join("..", "examples", "qemu.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The absolute output directory marks this build's qemu.
	r := e.run("build", "-var", "vm="+vm, "-var", "output="+filepath.Join(e.dir, "out"), example)
	if r.code != 0 {
		t.Fatalf("packer build examples/qemu.json: %v", r)
	}
	mustContain(t, r, "stdout", "Connected to SSH")
	mustContain(t, r, "stdout", "built by qemu on kernel 6.")
	if procs := qemuProcesses(e.dir); len(procs) > 0 {
		t.Errorf("qemu still runs after the build:\n%s", strings.Join(procs, "\n"))
	}

	image := filepath.Join(e.dir, "out", "testvm.qcow2")
	raw := filepath.Join(e.dir, "image.raw")
	if out, err := exec.Command("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image, raw).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert %s: %v\n%s", image, err, out)
	}
	motd, _ := os.ReadFile(filepath.Join("..", "examples", "qemu-files", "motd"))
	if got := debugfsCat(t, raw, "/etc/motd"); got != string(motd) {
		t.Errorf("/etc/motd in the image = %q, want the file provisioner's %q", got, motd)
	}
	if got := debugfsCat(t, raw, "/srv/build-info"); !strings.HasPrefix(got, "built by qemu on kernel 6.") {
		t.Errorf("/srv/build-info in the image = %q, want the shell provisioner's line", got)
	}
	// poweroff left the file system clean: nothing waits in its journal.
	if out, _ := exec.Command("dumpe2fs", "-h", raw).Output(); !strings.Contains(string(out), "Filesystem state:         clean") {
		t.Errorf("the image's file system is not clean after poweroff:\n%s", out)
	}

	sums, err := os.ReadFile(filepath.Join(e.dir, "out", "testvm.qcow2.sha256"))
	if err != nil {
		t.Fatalf("the checksum post-processor wrote nothing: %v", err)
	}
	assertSumOf(t, string(sums), image)
}

// sleepingTemplate boots the test machine and runs a provisioner that says
// its pid and sleeps, for the tests that stop packer mid-provisioning.
func sleepingTemplate(e *env, vm string) {
	// The absolute output directory marks this build's qemu.
	e.writeFile("template.json", `{
		"builders": [{
			"type": "qemu", "iso_url": "`+vm+`/rootfs.img", "iso_checksum": "none", "disk_image": true,
			"output_directory": "`+filepath.Join(e.dir, "out")+`", "headless": true, "memory": 256, "accelerator": "tcg",
			"qemuargs": [["-kernel", "`+vm+`/vmlinuz"], ["-initrd", "`+vm+`/initrd.img"], ["-append", "console=ttyS0 root=/dev/vda rw quiet"]],
			"ssh_username": "root", "ssh_private_key_file": "`+vm+`/id_ed25519", "shutdown_command": "poweroff"
		}],
		"provisioners": [{"type": "shell", "inline": ["echo provisioning in pid $$", "exec sleep 1000"]}]
	}`)
}

// waitNoQemu waits (at most 20 s) until no qemu of this test runs, and
// fails if one still does.
func waitNoQemu(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		procs := qemuProcesses(marker)
		if len(procs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("qemu still runs 20s after the kill:\n%s", strings.Join(procs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startProvisioning starts a build of sleepingTemplate and returns once its
// provisioner runs, with one qemu running the build.
func startProvisioning(t *testing.T) (*env, *liveRun) {
	t.Helper()
	vm := needTestVM(t)
	e := newEnv(t)
	sleepingTemplate(e, vm)
	r := e.start("build", "template.json")
	if !sawLine(r.stdout, "provisioning in pid") {
		code, stdout, stderr := r.wait()
		t.Fatalf("the build ended (exit %d) before its provisioner ran\n--- stdout:\n%s\n--- stderr:\n%s", code, stdout, stderr)
	}
	if procs := qemuProcesses(e.dir); len(procs) != 1 {
		t.Fatalf("want one qemu running this build, found %q", procs)
	}
	return e, r
}

// sawLine reads lines from ch until one holds want (true) or ch ends.
func sawLine(ch chan string, want string) bool {
	for line := range ch {
		if strings.Contains(line, want) {
			return true
		}
	}
	return false
}

func TestE2E_QemuInterruptedMidProvisioningLeavesNoQemu(t *testing.T) {
	e, r := startProvisioning(t)
	r.signal(syscall.SIGINT)
	code, stdout, stderr := r.wait()
	if code == 0 {
		t.Errorf("an interrupted build exited 0\n%s\n%s", stdout, stderr)
	}
	// packer has exited: its plugins and their qemu must be gone already.
	if procs := qemuProcesses(e.dir); len(procs) > 0 {
		t.Errorf("qemu outlived the interrupted build:\n%s", strings.Join(procs, "\n"))
	}
	if _, err := os.Stat(filepath.Join(e.dir, "out")); !os.IsNotExist(err) {
		t.Errorf("the interrupted build left its output directory: %v", err)
	}
}

func TestE2E_QemuKillingTheCoreMidProvisioningLeavesNoQemu(t *testing.T) {
	e, r := startProvisioning(t)
	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	waitNoQemu(t, e.dir)
}

// BenchmarkQemuBuild is the qemu builder's speed: the wall time of `packer
// build` of examples/qemu.json on the test machine, from packer's start to
// its exit, with the accelerator left for the builder to choose. Run it as
// `go test -run '^$' -bench QemuBuild -benchtime 5x ./e2e/`; it reports the
// median of the runs as s/build (ns/op is their mean).
func BenchmarkQemuBuild(b *testing.B) {
	vm := needTestVM(b)
	if bins.err != nil {
		b.Fatal(bins.err)
	}
	example, err := filepath.Abs(filepath.Join("..", "examples", "qemu.json"))
	if err != nil {
		b.Fatal(err)
	}
	dir, home := b.TempDir(), b.TempDir()
	var runs []time.Duration
	for b.Loop() {
		cmd := exec.Command(filepath.Join(bins.dir, "packer"), "build", "-force", "-var", "vm="+vm, "-var", "output=out", example)
		cmd.Dir = dir
		cmd.Env = []string{"HOME=" + home, "PATH=" + systemPath(), "PACKER_PLUGIN_PATH=" + filepath.Join(home, "no-plugins")}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("packer build: %v\n%s", err, out.String())
		}
		runs = append(runs, time.Since(start))
	}
	slices.Sort(runs)
	b.ReportMetric(runs[len(runs)/2].Seconds(), "s/build")
	b.Logf("runs, sorted: %v", runs)
}

// TestE2E_QemuKillingThePluginMidProvisioningLeavesNoQemu kills the process
// that runs the builder (the built-ins' plugin process) with SIGKILL, which
// leaves it no cleanup to run: the kernel's parent-death signal ends qemu.
func TestE2E_QemuKillingThePluginMidProvisioningLeavesNoQemu(t *testing.T) {
	e, r := startProvisioning(t)
	var plugin int
	for _, pid := range processesFrom(bins.dir) {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if strings.Contains(string(cmdline), "\x00--builtins") {
			plugin, _ = strconv.Atoi(pid)
		}
	}
	if plugin == 0 {
		t.Fatalf("no built-ins plugin process among %v", processesFrom(bins.dir))
	}
	if err := syscall.Kill(plugin, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitNoQemu(t, e.dir)
	if code, _, _ := r.wait(); code == 0 {
		t.Error("a build whose builder's plugin was killed exited 0")
	}
}

// TestBuiltins_qemuPassesTheBuilderKitAndItsSSHCommunicatorTheCommunicatorKit
// runs the builder kit on the qemu builder, served by the real built-ins
// process, booting the test machine; inside its provision hook the kit runs
// the communicator kit over SSH against the machine's dropbear, with each
// file transfer method.
func TestBuiltins_qemuPassesTheBuilderKitAndItsSSHCommunicatorTheCommunicatorKit(t *testing.T) {
	vm := needTestVM(t)
	dispense := builtinsProcess(t)
	for _, transfer := range []string{"scp", "sftp"} {
		t.Run(transfer, func(t *testing.T) {
			packertest.TestBuilder(t, packertest.BuilderHarness{
				New: func(t *testing.T) packer.Builder { return dispense(t, packer.KindBuilder, "qemu").(packer.Builder) },
				Config: func(t *testing.T) map[string]any {
					return map[string]any{
						"iso_url": vm + "/rootfs.img", "iso_checksum": "file:" + vm + "/SHA256SUMS",
						"disk_image": true, "format": "qcow2", "headless": true, "memory": 256,
						"output_directory": filepath.Join(t.TempDir(), "out"), "vm_name": "kit.qcow2",
						"qemuargs": []any{
							[]any{"-kernel", vm + "/vmlinuz"}, []any{"-initrd", vm + "/initrd.img"},
							[]any{"-append", "console=ttyS0 root=/dev/vda rw quiet"},
						},
						"ssh_username": "root", "ssh_private_key_file": vm + "/id_ed25519", "ssh_timeout": "2m",
						"ssh_file_transfer_method": transfer, "shutdown_command": "poweroff",
					}
				},
				CommunicatorDir: "/tmp/packertest",
			})
		})
	}
}

// assertSumOf fails unless sums (a checksum post-processor's file) starts
// with the sha256 of image.
func assertSumOf(t *testing.T, sums, image string) {
	t.Helper()
	f, err := os.Open(image)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	if want := hex.EncodeToString(h.Sum(nil)); !strings.HasPrefix(sums, want) {
		t.Errorf("checksum file %q does not start with the image's sha256 %s", sums, want)
	}
}
