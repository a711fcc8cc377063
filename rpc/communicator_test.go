package rpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

func TestCommunicator_uploadsAndDownloads64MiBByteForByte(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB")
	}
	comm := &local.Communicator{Dir: t.TempDir()}
	data := pattern(64 << 20)
	var downloaded bytes.Buffer
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		if err := c.Upload("big.bin", bytes.NewReader(data), nil); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		return c.Download("big.bin", &downloaded)
	}), nil, nil)

	if err := client.Provisioner().Provision(context.Background(), &recordingUi{}, comm); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(filepath.Join(comm.Dir, "big.bin"))
	if !bytes.Equal(onDisk, data) {
		t.Errorf("uploaded file differs (%d bytes, want %d)", len(onDisk), len(data))
	}
	if !bytes.Equal(downloaded.Bytes(), data) {
		t.Errorf("downloaded bytes differ (%d bytes, want %d)", downloaded.Len(), len(data))
	}
}

func TestCommunicator_fileInfoAndErrorsCrossTheConnection(t *testing.T) {
	comm := &recordingCommunicator{Communicator: local.Communicator{Dir: t.TempDir()}}
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		info := os.FileInfo(&fileInfo{w: wireFileInfo{Name: "x", Size: 2, Mode: 0o640}})
		if err := c.Upload("x", strings.NewReader("xy"), &info); err != nil {
			return err
		}
		err := c.Download("missing", io.Discard)
		if err == nil || !strings.Contains(err.Error(), "missing") {
			return fmt.Errorf("Download of a missing file = %v", err)
		}
		if err := c.UploadDir("tree", "/nonexistent-source", nil); err == nil {
			return errors.New("UploadDir of a missing source succeeded")
		}
		return nil
	}), nil, nil)
	if err := client.Provisioner().Provision(context.Background(), &recordingUi{}, comm); err != nil {
		t.Fatal(err)
	}
	if comm.mode != 0o640 {
		t.Errorf("file mode seen by the communicator = %v, want 0640", comm.mode)
	}
}

type recordingCommunicator struct {
	local.Communicator
	mode os.FileMode
}

func (c *recordingCommunicator) Upload(dst string, src io.Reader, fi *os.FileInfo) error {
	if fi != nil {
		c.mode = (*fi).Mode()
	}
	return c.Communicator.Upload(dst, src, fi)
}

func TestRemoteCmd_outputStreamsWhileTheCommandRuns(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	var status int
	ran := make(chan error, 1)
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{
			Command: `echo first; read line; echo "got $line"; echo oops >&2; exit 3`,
			Stdin:   stdinR, Stdout: stdoutW, Stderr: &stderr,
		}
		if err := c.Start(ctx, cmd); err != nil {
			return err
		}
		status = cmd.Wait()
		stdoutW.Close()
		return nil
	}), nil, nil)
	go func() { ran <- client.Provisioner().Provision(context.Background(), &recordingUi{}, comm) }()

	lines := bufio.NewScanner(stdoutR)
	// The first line arrives while the command still waits for its input.
	if !lines.Scan() || lines.Text() != "first" {
		t.Fatalf("first line = %q, want %q", lines.Text(), "first")
	}
	io.WriteString(stdinW, "pear\n")
	stdinW.Close()
	if !lines.Scan() || lines.Text() != "got pear" {
		t.Fatalf("second line = %q, want %q", lines.Text(), "got pear")
	}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if status != 3 {
		t.Errorf("exit status = %d, want 3", status)
	}
	if stderr.String() != "oops\n" {
		t.Errorf("stderr = %q: all output must be written before SetExited", stderr.String())
	}
}

func TestRemoteCmd_runWithUiShowsEachLine(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	ui := &recordingUi{}
	client := connect(t, funcProvisioner(func(ctx context.Context, pui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{Command: "printf 'one\\ntwo\\n'; echo three >&2"}
		status, err := cmd.RunWithUi(ctx, c, pui)
		if err != nil || status != 0 {
			return fmt.Errorf("status %d, err %v", status, err)
		}
		return nil
	}), nil, nil)
	if err := client.Provisioner().Provision(context.Background(), ui, comm); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"message: one", "message: two", "error: three"} {
		if !containsLine(ui.Lines(), want) {
			t.Errorf("Ui lines %q lack %q", ui.Lines(), want)
		}
	}
}

func TestRemoteCmd_cancellingTheContextStopsTheCommand(t *testing.T) {
	requireUnix(t)
	comm := &local.Communicator{Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan int, 1)
	client := connect(t, funcProvisioner(func(pctx context.Context, ui packer.Ui, c packer.Communicator) error {
		cmd := &packer.RemoteCmd{Command: "echo started; exec sleep 1000", Stdout: stdoutW}
		if err := c.Start(ctx, cmd); err != nil {
			return err
		}
		done <- cmd.Wait()
		return nil
	}), nil, nil)
	go client.Provisioner().Provision(context.Background(), &recordingUi{}, comm)

	lines := bufio.NewScanner(stdoutR)
	if !lines.Scan() {
		t.Fatal("no output from the command")
	}
	go io.Copy(io.Discard, stdoutR)
	cancel()
	if status := <-done; status == 0 {
		t.Errorf("a killed command exited with status 0")
	}
}

func TestRemoteCmd_startErrorReachesTheCaller(t *testing.T) {
	client := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, c packer.Communicator) error {
		return c.Start(ctx, &packer.RemoteCmd{Command: "true"})
	}), nil, nil)
	err := client.Provisioner().Provision(context.Background(), &recordingUi{}, &failingCommunicator{})
	if err == nil || !strings.Contains(err.Error(), "no shell here") {
		t.Fatalf("Provision = %v, want the communicator's error", err)
	}
}

type failingCommunicator struct{ local.Communicator }

func (*failingCommunicator) Start(context.Context, *packer.RemoteCmd) error {
	return errors.New("no shell here")
}

// TestRelay_aProvisionerInOneProcessUsesTheCommunicatorOfAnother is the
// classic Packer shape: the core (A) runs a builder (B) whose hook runs a
// provisioner (C) against B's communicator; every call from C reaches B
// through A.
func TestRelay_aProvisionerInOneProcessUsesTheCommunicatorOfAnother(t *testing.T) {
	requireUnix(t)
	builderComm := &local.Communicator{Dir: t.TempDir()}
	builderSide := connect(t, &funcBuilder{run: func(ctx context.Context, ui packer.Ui, hook packer.Hook) (packer.Artifact, error) {
		if err := hook.Run(ctx, packer.HookProvision, ui, builderComm, nil); err != nil {
			return nil, err
		}
		return &fileArtifact{id: "built"}, nil
	}}, nil, nil)
	provisionerSide := connect(t, funcProvisioner(func(ctx context.Context, ui packer.Ui, comm packer.Communicator) error {
		if err := comm.Upload("script.sh", strings.NewReader("echo provisioned > out.txt\n"), nil); err != nil {
			return err
		}
		status, err := (&packer.RemoteCmd{Command: "sh script.sh"}).RunWithUi(ctx, comm, ui)
		if err != nil || status != 0 {
			return fmt.Errorf("script: status %d, %v", status, err)
		}
		return nil
	}), nil, nil)
	postProcessorSide := connect(t, funcPostProcessor(func(ctx context.Context, ui packer.Ui, a packer.Artifact) (packer.Artifact, bool, error) {
		return &fileArtifact{id: "processed " + a.Id()}, false, nil
	}), nil, nil)

	hook := funcHook(func(ctx context.Context, name string, ui packer.Ui, comm packer.Communicator, data any) error {
		return provisionerSide.Provisioner().Provision(ctx, ui, comm)
	})
	artifact, err := builderSide.Builder().Run(context.Background(), &recordingUi{}, hook)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(builderComm.Dir, "out.txt"))
	if string(got) != "provisioned\n" {
		t.Errorf("out.txt = %q, want the provisioner's output", got)
	}
	result, _, err := postProcessorSide.PostProcessor().PostProcess(context.Background(), &recordingUi{}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	if result.Id() != "processed built" {
		t.Errorf("result artifact id = %q", result.Id())
	}
}
