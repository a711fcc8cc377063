package plugin

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/packer-classic/packer/packer"
)

// DefaultName registers a set's default component of a kind: in a binary
// packer-plugin-NAME, the default builder is used as builder type NAME, and
// a builder registered as "foo" as type NAME-foo.
const DefaultName = "-"

// Set is a multi-component plugin: one binary, packer-plugin-NAME, serving
// several builders, provisioners and post-processors. Every instance the
// core asks for is made fresh and served on its own stream, so a run with
// many builds need not start a process per build.
//
//	func main() {
//		set := plugin.NewSet("1.2.0")
//		set.RegisterBuilder(plugin.DefaultName, func() packer.Builder { return new(Builder) })
//		set.RegisterPostProcessor("upload", func() packer.PostProcessor { return new(Uploader) })
//		set.Run()
//	}
type Set struct {
	version        string
	share          bool
	builders       map[string]func() packer.Builder
	provisioners   map[string]func() packer.Provisioner
	postProcessors map[string]func() packer.PostProcessor
}

// NewSet returns an empty set; version is the plugin's own version, which
// `describe` reports.
func NewSet(version string) *Set {
	return &Set{
		version:        version,
		builders:       map[string]func() packer.Builder{},
		provisioners:   map[string]func() packer.Provisioner{},
		postProcessors: map[string]func() packer.PostProcessor{},
	}
}

// ShareProcess lets the core serve every instance of this plugin's
// components in a run from one process, each on its own stream. Without it
// (the default) each instance gets a process of its own, isolated from the
// others; sharing is faster for runs with many builds, and right for
// components that keep no global state.
func (s *Set) ShareProcess(share bool) { s.share = share }

// RegisterBuilder adds a builder, made fresh by make for every request.
func (s *Set) RegisterBuilder(name string, make func() packer.Builder) {
	s.builders[name] = make
}

// RegisterProvisioner adds a provisioner, made fresh by make for every
// request.
func (s *Set) RegisterProvisioner(name string, make func() packer.Provisioner) {
	s.provisioners[name] = make
}

// RegisterPostProcessor adds a post-processor, made fresh by make for every
// request.
func (s *Set) RegisterPostProcessor(name string, make func() packer.PostProcessor) {
	s.postProcessors[name] = make
}

// Dispense makes a new component of kind (packer.KindBuilder, ...) registered
// as name. It is what the core's requests reach.
func (s *Set) Dispense(kind packer.Kind, name string) (any, error) {
	var component any
	switch kind {
	case packer.KindBuilder:
		if make, ok := s.builders[name]; ok {
			component = make()
		}
	case packer.KindProvisioner:
		if make, ok := s.provisioners[name]; ok {
			component = make()
		}
	case packer.KindPostProcessor:
		if make, ok := s.postProcessors[name]; ok {
			component = make()
		}
	}
	if component == nil {
		return nil, fmt.Errorf("this plugin has no %s named %q (it has %s)", kind, name, s.describe().list(kind))
	}
	return component, nil
}

// Description is what `packer-plugin-NAME describe` prints: the plugin's
// version, the protocol it speaks, and its components by kind.
type Description struct {
	Version         string `json:"version"`
	ProtocolVersion int    `json:"protocol_version"`
	// ShareProcess says the instances may share one process (see
	// Set.ShareProcess); false means one process per instance.
	ShareProcess bool `json:"share_process"`
	// Protocol is empty for Go plugins served with a Set; "json-stdio"
	// for a program that speaks the json-stdio protocol (package
	// plugin/jsonstdio) for each of its components.
	Protocol       string   `json:"protocol,omitempty"`
	Builders       []string `json:"builders"`
	Provisioners   []string `json:"provisioners"`
	PostProcessors []string `json:"post_processors"`
	// SDK is set for a packer-plugin-sdk plugin (see SDKDescription),
	// whose components are named as here (DefaultName for the default).
	SDK *SDKDescription `json:"-"`
}

// Names lists the names the plugin registered components of kind under
// (DefaultName for its default one).
func (d Description) Names(kind packer.Kind) []string {
	switch kind {
	case packer.KindBuilder:
		return d.Builders
	case packer.KindProvisioner:
		return d.Provisioners
	case packer.KindPostProcessor:
		return d.PostProcessors
	}
	return nil
}

// Types lists, for a user, the template types the components of kind of
// the plugin binary have: NAME for the default one, NAME-COMPONENT for the
// others, or "(none)".
func (d Description) Types(binary string, kind packer.Kind) string {
	prefix := PluginName(binary)
	var types []string
	for _, c := range d.Names(kind) {
		if c == DefaultName {
			types = append(types, prefix)
		} else {
			types = append(types, prefix+"-"+c)
		}
	}
	if len(types) == 0 {
		return "(none)"
	}
	return strings.Join(types, ", ")
}

func (d Description) list(kind packer.Kind) string {
	if names := d.Names(kind); len(names) > 0 {
		return fmt.Sprint(names)
	}
	return "none of that kind"
}

func (s *Set) describe() Description {
	keys := func(n int, each func(func(string))) []string {
		out := make([]string, 0, n)
		each(func(k string) { out = append(out, k) })
		sort.Strings(out)
		return out
	}
	return Description{
		Version:         s.version,
		ProtocolVersion: ProtocolVersion,
		ShareProcess:    s.share,
		Builders: keys(len(s.builders), func(add func(string)) {
			for k := range s.builders {
				add(k)
			}
		}),
		Provisioners: keys(len(s.provisioners), func(add func(string)) {
			for k := range s.provisioners {
				add(k)
			}
		}),
		PostProcessors: keys(len(s.postProcessors), func(add func(string)) {
			for k := range s.postProcessors {
				add(k)
			}
		}),
	}
}

// Describe writes the set's description as JSON.
func (s *Set) Describe(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s.describe())
}

// Run is the whole main of a multi-component plugin: with the argument
// "describe" it prints the description and exits; started by a core, it
// serves the set until the core is done with it.
func (s *Set) Run() {
	if slices.Contains(os.Args[1:], "describe") {
		if err := s.Describe(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	serveAndExit(s)
}

// ReadDescription runs `binary describe` and reads what it prints, checking
// that it speaks this packer's protocol.
func ReadDescription(output []byte, binary string) (Description, error) {
	if d, ok, err := readSDKDescription(output, binary); ok {
		return d, err
	}
	var d Description
	if err := json.Unmarshal(output, &d); err != nil {
		return d, fmt.Errorf("%s describe printed something that is not a plugin description: %v", binary, err)
	}
	if d.Protocol == "json-stdio" {
		return d, nil // versioned by its own protocol_version field in each request
	}
	if d.ProtocolVersion != ProtocolVersion {
		return d, fmt.Errorf("%s speaks plugin protocol %d and this packer speaks %d; install a version of the plugin made for this packer", binary, d.ProtocolVersion, ProtocolVersion)
	}
	return d, nil
}

// BuiltinsArg follows BuiltinSubcommand to start the packer executable as
// one process serving every built-in component as a Set.
const BuiltinsArg = "--builtins"
