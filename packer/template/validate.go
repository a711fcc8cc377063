package template

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Validate reports every problem of a parsed template that needs the whole
// template to see, all at once in one *multierror.Error, each naming where
// it is: no builders, and "only", "except" and "override" naming builds the
// template does not declare. Whether each component accepts its
// configuration is the component's to say (package packer's Core runs
// their Prepare).
func (t *Template) Validate() error {
	var errs *multierror.Error
	if len(t.Builders) == 0 {
		errs = multierror.Append(errs, fmt.Errorf("%s: no builders are defined; a template needs at least one entry in \"builders\", e.g. {\"type\": \"null\"}", t.name()))
	}
	checkNames := func(where, key string, names []string) {
		for _, n := range names {
			if _, ok := t.Builders[n]; !ok {
				errs = multierror.Append(errs, fmt.Errorf("%s: %s: %q names build %q, which is not defined (%s)", t.name(), where, key, n, t.describeBuilds()))
			}
		}
	}
	checkProvisioner := func(where string, p *Provisioner) {
		checkNames(where, "only", p.Only)
		checkNames(where, "except", p.Except)
		checkNames(where, "override", sortedKeys(p.Override))
	}
	for i, p := range t.Provisioners {
		checkProvisioner(fmt.Sprintf("provisioner %d (%s)", i+1, p.Type), p)
	}
	if p := t.ErrorCleanupProvisioner; p != nil {
		checkProvisioner(fmt.Sprintf("error-cleanup-provisioner (%s)", p.Type), p)
	}
	for i, chain := range t.PostProcessors {
		for j, pp := range chain {
			where := fmt.Sprintf("post-processor %d (%s)", i+1, pp.Type)
			if len(chain) > 1 {
				where = fmt.Sprintf("post-processor %d.%d (%s)", i+1, j+1, pp.Type)
			}
			checkNames(where, "only", pp.Only)
			checkNames(where, "except", pp.Except)
		}
	}
	return errs.ErrorOrNil()
}

func (t *Template) describeBuilds() string {
	switch names := t.BuildNames(); len(names) {
	case 0:
		return "the template declares no builds"
	case 1:
		return fmt.Sprintf("the only build is %q", names[0])
	default:
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = fmt.Sprintf("%q", n)
		}
		return "the builds are " + strings.Join(quoted, ", ")
	}
}
