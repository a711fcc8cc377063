//go:build unix

package shell

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// releasingUi lets the script go on (by writing to its FIFO) only once the
// script's first line has been shown: if output were not streamed, the
// script would never finish.
type releasingUi struct {
	packertest.Ui
	fifo string
}

func (u *releasingUi) Message(m string) {
	u.Ui.Message(m)
	if m == "first" {
		f, err := os.OpenFile(u.fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString("go\n")
			f.Close()
		}
	}
}

func TestShell_outputReachesTheUiBeforeTheScriptEnds(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "release")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	p := new(Provisioner)
	if err := p.Prepare(map[string]any{
		"inline":        []any{"echo first", "read x < " + fifo, "echo second after $x"},
		"remote_folder": dir,
	}); err != nil {
		t.Fatal(err)
	}
	ui := &releasingUi{fifo: fifo}
	if err := p.Provision(context.Background(), ui, &local.Communicator{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if !ui.Has("second after go") {
		t.Errorf("Ui saw %q", ui.Lines())
	}
}

var _ packer.Ui = (*releasingUi)(nil)
