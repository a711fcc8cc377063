package null

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/packer-classic/packer/packer"
)

// recordingHook keeps what the builder hands to the provision hook and runs
// a command through the communicator, as a shell provisioner would.
type recordingHook struct {
	name   string
	comm   packer.Communicator
	data   any
	output string
}

func (h *recordingHook) Run(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
	h.name, h.comm, h.data = name, comm, data
	if comm == nil {
		return nil
	}
	var out bytes.Buffer
	cmd := &packer.RemoteCmd{Command: "echo provisioned", Stdout: &out}
	if err := comm.Start(ctx, cmd); err != nil {
		return err
	}
	cmd.Wait()
	h.output = out.String()
	return nil
}

func TestNull_runsTheProvisionHookAndSharesItsID(t *testing.T) {
	b := new(Builder)
	if _, err := b.Prepare(map[string]any{"communicator": "none"}, map[string]any{packer.BuildNameConfigKey: "n"}); err != nil {
		t.Fatal(err)
	}
	hook := &recordingHook{}
	artifact, err := b.Run(context.Background(), nil, hook)
	if err != nil {
		t.Fatal(err)
	}
	if hook.name != packer.HookProvision || hook.comm != nil {
		t.Errorf("hook ran as %q with communicator %v", hook.name, hook.comm)
	}
	if hook.data.(map[string]any)["ID"] != "Null" {
		t.Errorf("build data = %v, want ID Null", hook.data)
	}
	if artifact.Id() != "Null" || artifact.BuilderId() != BuilderId || artifact.Files() != nil {
		t.Errorf("artifact = %q %q %v", artifact.Id(), artifact.BuilderId(), artifact.Files())
	}
}

func TestNull_localCommunicatorRunsCommandsHere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	b := new(Builder)
	if _, err := b.Prepare(map[string]any{"communicator": "local", "local_dir": t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	hook := &recordingHook{}
	if _, err := b.Run(context.Background(), nil, hook); err != nil {
		t.Fatal(err)
	}
	if hook.output != "provisioned\n" {
		t.Errorf("command output = %q", hook.output)
	}
}

func TestNull_badConfigurationIsNamed(t *testing.T) {
	for raw, want := range map[string]map[string]any{
		`"ssh" is not available`:                {"communicator": "ssh"},
		`unknown communicator "carrier-pigeon"`: {"communicator": "carrier-pigeon"},
		`unknown configuration key: "ssh_host"`: {"ssh_host": "1.2.3.4"},
	} {
		_, err := new(Builder).Prepare(want)
		if err == nil || !strings.Contains(err.Error(), raw) {
			t.Errorf("Prepare(%v) = %v, want %q", want, err, raw)
		}
	}
}
