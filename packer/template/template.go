// Package template reads Packer's classic JSON template format: the builds a
// template declares, the provisioners and post-processors that follow them,
// and the variables users fill in.
//
// It knows nothing of components or of how builds run: package packer's
// Core takes a parsed Template, resolves its variables (ResolveVariables),
// and renders each component's configuration with package interpolate
// before handing it to the component. This package must not import package
// packer.
//
// Reading happens in two steps, as in Packer: Parse (or ParseFile) checks
// the shape of the document and of each component entry; Validate checks
// what needs the whole template, such as "only" naming a build that exists.
// Each step reports every problem it finds at once.
package template

import (
	"sort"
	"time"
)

// Template is a parsed template.
type Template struct {
	// Path is the file the template was read from ("" when parsed from a
	// reader); {{template_dir}} and error messages use it.
	Path string

	// Description is the template's "description", shown by inspect.
	Description string
	// MinVersion is "min_packer_version": the core refuses to run the
	// template on an older version.
	MinVersion string

	// Variables are the declared user variables by name.
	Variables map[string]*Variable
	// SensitiveVariables names the variables listed in
	// "sensitive-variables", whose values are masked in all output. They
	// may name variables given only on the command line.
	SensitiveVariables []string

	// Builders by build name: the builder's "name", else its "type".
	Builders map[string]*Builder
	// Provisioners run in order inside every build they apply to.
	Provisioners []*Provisioner
	// ErrorCleanupProvisioner ("error-cleanup-provisioner") runs when a
	// provisioner of a build fails, so the build can clean up inside the
	// machine; nil when the template has none.
	ErrorCleanupProvisioner *Provisioner
	// PostProcessors are the chains: each inner slice is one chain, whose
	// steps each take the previous step's artifact.
	PostProcessors [][]*PostProcessor

	// Hooks ("hooks") names, for each event a builder runs its hook with
	// ("packer_provision"), the hook plugins (packer-hook-NAME, by NAME)
	// the core runs for it, in order, before its own: as classic Packer's
	// template did. nil when the template has none.
	Hooks map[string][]string

	// RequiredPlugins are the plugins the template needs, by name, with
	// the versions that will do and where to install them from.
	RequiredPlugins map[string]*RequiredPlugin

	// Comments are the top-level keys starting with "_" ("_comment"), the
	// JSON way of commenting a template; values that are not strings are
	// kept as their JSON text.
	Comments map[string]string

	// RawContents is the template file exactly as read.
	RawContents []byte

	// Warnings are what the template says that Packer accepts but is most
	// likely a mistake (a duration written as a bare number, which is
	// nanoseconds), each naming where it is, for the commands to show.
	Warnings []string
}

// RequiredPlugin is one entry of "required_plugins".
type RequiredPlugin struct {
	Name string
	// Version is a constraint in hashicorp/go-version syntax
	// (">= 1.2, < 2.0"); empty means any.
	Version string `json:"version"`
	// Source is the catalog to install it from (see packer plugins -h).
	Source string `json:"source"`
}

// Variable is a declared user variable and its default.
type Variable struct {
	Key string
	// Default is the default value as written; it may use template
	// functions ({{env `HOME`}}, {{user `other`}}), rendered by
	// ResolveVariables.
	Default string
	// Required is true for a variable declared with a null default: the
	// user must give it (-var or -var-file).
	Required bool
}

// Builder is one build's builder.
type Builder struct {
	// Name is the build's name: the builder's "name", else its type.
	Name string
	Type string
	// Config is the builder's configuration, without "name" and "type".
	Config map[string]any
}

// Provisioner is one provisioner and the keys the core handles for it.
type Provisioner struct {
	Type string
	// Config is the provisioner's configuration, without the keys below.
	Config map[string]any
	// Override maps a build name to configuration laid over Config for
	// that build only.
	Override map[string]any
	// PauseBefore is "pause_before": how long to wait before running.
	PauseBefore time.Duration
	// Timeout is "timeout": the longest the provisioner may run; zero is
	// no limit.
	Timeout time.Duration
	// MaxRetries is "max_retries": how many times to run it again after a
	// failure.
	MaxRetries int
	OnlyExcept
}

// PostProcessor is one step of a post-processor chain.
type PostProcessor struct {
	// Name is the post-processor's "name", else its type; -except can
	// name it.
	Name string
	Type string
	// KeepInputArtifact is "keep_input_artifact"; nil when the template
	// does not say, so the post-processor's own preference decides.
	KeepInputArtifact *bool
	// Config is the configuration, without the keys above and only/except.
	Config map[string]any
	OnlyExcept
}

// OnlyExcept limits a provisioner or post-processor to some builds by
// name: "only" runs it for those builds alone, "except" for all others.
type OnlyExcept struct {
	Only   []string
	Except []string
}

// Skip reports whether the component does not run for the build called
// name.
func (o *OnlyExcept) Skip(name string) bool {
	if len(o.Only) > 0 {
		for _, n := range o.Only {
			if n == name {
				return false
			}
		}
		return true
	}
	for _, n := range o.Except {
		if n == name {
			return true
		}
	}
	return false
}

// BuildNames returns the names of the template's builds, sorted.
func (t *Template) BuildNames() []string {
	names := make([]string, 0, len(t.Builders))
	for n := range t.Builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// name is how errors call the template: its file, else "template".
func (t *Template) name() string {
	if t.Path == "" {
		return "template"
	}
	return t.Path
}
