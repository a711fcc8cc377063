package command

import (
	"bytes"
	"sync"
	"testing"

	"github.com/packer-classic/packer/packer"
	"github.com/packer-classic/packer/packer/packertest"
)

// lockedBuffer is a bytes.Buffer the kit may read while the Ui writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestBuildUi_passesTheUiKit(t *testing.T) {
	for name, machine := range map[string]bool{"plain": false, "machine-readable": true} {
		t.Run(name, func(t *testing.T) {
			packertest.TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
				var out lockedBuffer
				ui := newBuildUi(&sharedOutput{stdout: &out, stderr: &out}, "kit", 0, true, machine)
				return ui, out.String
			})
		})
	}
	t.Run("masking", func(t *testing.T) {
		packertest.TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
			var out lockedBuffer
			ui := newBuildUi(&sharedOutput{stdout: &out, stderr: &out}, "kit", 0, false, false)
			return newMaskingUi(ui, []string{"s3cr3t"}), out.String
		})
	})
}
