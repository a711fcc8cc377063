package template

import (
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/packer-classic/packer/packer/template/interpolate"
)

// RenderBuildNames returns the template's builders keyed by their names
// rendered with ctx, as Packer names builds: "name": "{{user `os`}}-vm"
// makes a build called "ubuntu-vm" when the variable os is "ubuntu", and
// -only, -except and the output use that name. Builders whose name does
// not change are returned as they are; the others as copies with the
// rendered Name. Every name that does not render, and every two builds
// that end up with the same name, is reported at once.
func (t *Template) RenderBuildNames(ctx *interpolate.Context) (map[string]*Builder, error) {
	// A name that uses a variable nobody gave would render empty: that is
	// an error here, not the "" components get.
	strict := interpolate.Context{}
	if ctx != nil {
		strict = *ctx
	}
	strict.StrictUserVariables = true
	ctx = &strict
	var errs *multierror.Error
	out := make(map[string]*Builder, len(t.Builders))
	for _, name := range t.BuildNames() {
		b := t.Builders[name]
		rendered, err := interpolate.Render(name, ctx)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: the name of build %q: %w", t.name(), name, err))
			continue
		}
		if other, dup := out[rendered]; dup {
			errs = multierror.Append(errs, fmt.Errorf("%s: builds %q and %q are both called %q once their names are rendered; give one of them a different \"name\"", t.name(), other.Name, name, rendered))
			continue
		}
		if rendered != name {
			renamed := *b
			renamed.Name = rendered
			b = &renamed
		}
		out[rendered] = b
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return out, nil
}
