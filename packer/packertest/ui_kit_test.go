package packertest

import (
	"testing"

	"github.com/packer-classic/packer/packer"
)

func TestUi_theRecordingUiPassesTheUiKit(t *testing.T) {
	TestUi(t, func(t *testing.T) (packer.Ui, func() string) {
		ui := new(Ui)
		return ui, ui.Shown
	})
}
