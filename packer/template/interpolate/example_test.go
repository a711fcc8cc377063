package interpolate_test

import (
	"fmt"
	"time"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// The core renders a provisioner's configuration before the provisioner
// and the builder have run; what only they know is kept for later.
func ExampleRender() {
	ctx := &interpolate.Context{
		UserVariables: map[string]string{"fruit": "Pear"},
		BuildName:     "potato",
		Now:           time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	first, _ := interpolate.Render("{{build_name}}-{{user `fruit` | lower}}-{{isotime `2006`}}: {{ .Path }} {{ build `ID` }}", ctx)
	fmt.Println(first)

	ctx.Data = map[string]string{"Path": "/tmp/script.sh"}
	ctx.BuildData = map[string]any{"ID": "i-123"}
	later, _ := interpolate.Render(first, ctx)
	fmt.Println(later)
	// Output:
	// potato-pear-2026: {{ .Path }} {{ build `ID` }}
	// potato-pear-2026: /tmp/script.sh i-123
}
