package qemu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/packer-classic/packer/internal/testdeps"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// bootSectorImage writes the kvm probe's guest as a raw disk image: a guest
// that boots in a moment and then halts, with no network and no SSH.
func bootSectorImage(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "halt.img")
	if err := os.WriteFile(p, bootSector(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// recordingHook is a provision hook that records its communicator and data,
// and runs do, when set.
type recordingHook struct {
	mu     sync.Mutex
	called bool
	comm   packer.Communicator
	data   map[string]any
	do     func(ctx context.Context) error
}

func (h *recordingHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	h.mu.Lock()
	h.called, h.comm, h.data = true, comm, data.(map[string]any)
	h.mu.Unlock()
	if h.do != nil {
		return h.do(ctx)
	}
	return nil
}

// run prepares a builder with raw and runs it in a fresh working directory.
func run(t *testing.T, ctx context.Context, raw map[string]any, hook packer.Hook) (packer.Artifact, *packertest.Ui, error) {
	t.Helper()
	t.Chdir(t.TempDir())
	b := new(Builder)
	if _, err := b.Prepare(raw, map[string]any{packer.BuildNameConfigKey: "box"}); err != nil {
		t.Fatal(err)
	}
	ui := &packertest.Ui{}
	a, err := b.Run(ctx, ui, hook)
	return a, ui, err
}

func haltingGuest(t *testing.T) map[string]any {
	testdeps.Need(t, "qemu-system-x86_64", "qemu-img")
	return map[string]any{
		"iso_url": bootSectorImage(t), "iso_checksum": "none", "disk_image": true, "headless": true,
		"accelerator": "tcg", "memory": 16, "communicator": "none", "format": "raw",
	}
}

// qemuOf lists the qemu processes whose command line holds marker.
func qemuOf(marker string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), "qemu-system") && strings.Contains(string(cmdline), marker) {
			found = append(found, e.Name())
		}
	}
	return found
}

func TestRun_withoutACommunicatorProvisionsWithNoneAndLeavesTheImage(t *testing.T) {
	raw := haltingGuest(t)
	out := filepath.Join(t.TempDir(), "out") // marks this test's qemu
	raw["output_directory"] = out
	hook := &recordingHook{}
	a, ui, err := run(t, context.Background(), raw, hook)
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(ui.Lines(), "\n"))
	}
	if !hook.called || hook.comm != nil || hook.data["ID"] != "packer-box" {
		t.Errorf("the provision hook: called %v, comm %v, data %v; want called with no communicator and ID packer-box", hook.called, hook.comm, hook.data)
	}
	if a.BuilderId() != "transcend.qemu" || a.Id() != "packer-box" {
		t.Errorf("artifact %s %s", a.BuilderId(), a.Id())
	}
	files := a.Files()
	if len(files) != 1 || files[0] != filepath.Join(out, "packer-box") {
		t.Fatalf("files %q", files)
	}
	if data, err := os.ReadFile(files[0]); err != nil || string(data[:512]) != string(bootSector()) {
		t.Errorf("the image does not hold the source's boot sector: %v", err)
	}
	if procs := qemuOf(out); len(procs) > 0 {
		t.Errorf("qemu still runs: %v", procs)
	}
	if err := a.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("Destroy left the output directory: %v", err)
	}
}

func TestRun_cancelledMidProvisioningKillsQemuAndRemovesTheOutput(t *testing.T) {
	raw := haltingGuest(t)
	raw["output_directory"] = filepath.Join(t.TempDir(), "out") // marks this test's qemu
	ctx, cancel := context.WithCancel(context.Background())
	var running []string
	hook := &recordingHook{do: func(hookCtx context.Context) error {
		running = qemuOf(raw["output_directory"].(string))
		cancel()
		<-hookCtx.Done()
		return hookCtx.Err()
	}}
	_, _, err := run(t, ctx, raw, hook)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want an error wrapping context.Canceled, got %v", err)
	}
	if len(running) != 1 {
		t.Fatalf("want one qemu while provisioning, found %v", running)
	}
	if procs := qemuOf(raw["output_directory"].(string)); len(procs) > 0 {
		t.Errorf("qemu outlived the cancelled build: %v", procs)
	}
	if _, err := os.Stat(raw["output_directory"].(string)); !os.IsNotExist(err) {
		t.Errorf("the cancelled build left its output directory: %v", err)
	}
}

func TestRun_aQemuThatCannotStartFailsWithItsOwnWords(t *testing.T) {
	raw := haltingGuest(t)
	raw["communicator"] = "ssh"
	raw["ssh_username"] = "root"
	raw["ssh_private_key_file"] = keyFile(t)
	raw["qemuargs"] = [][]string{{"-no-such-option"}}
	_, _, err := run(t, context.Background(), raw, &recordingHook{})
	if err == nil || !strings.Contains(err.Error(), "-no-such-option") {
		t.Fatalf("want qemu's complaint about -no-such-option, got %v", err)
	}
	if _, err := os.Stat("output-box"); !os.IsNotExist(err) {
		t.Errorf("the failed build left its output directory: %v", err)
	}
}

func TestRun_anExistingOutputDirectoryIsRefusedWithoutForce(t *testing.T) {
	raw := haltingGuest(t)
	dir := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "keep"), []byte("mine"), 0o644)
	raw["output_directory"] = dir
	_, _, err := run(t, context.Background(), raw, &recordingHook{})
	if err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("want an error pointing at -force, got %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "keep")); string(data) != "mine" {
		t.Error("the existing output directory was touched")
	}
}

func TestRun_aWrongChecksumFailsBeforeQemuStarts(t *testing.T) {
	raw := haltingGuest(t)
	raw["iso_checksum"] = "sha256:" + strings.Repeat("0", 64)
	hook := &recordingHook{}
	_, _, err := run(t, context.Background(), raw, hook)
	if err == nil || !strings.Contains(err.Error(), "iso_checksum wants") || hook.called {
		t.Fatalf("want a checksum error before provisioning, got %v (hook called %v)", err, hook.called)
	}
}
