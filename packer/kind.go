package packer

// Kind is a kind of component: what a plugin serves, the middle part of its
// binary's name (packer-KIND-NAME), and what a multi-component plugin is
// asked for.
type Kind string

// The kinds of component, in the order `packer plugins` lists them.
const (
	KindBuilder       Kind = "builder"
	KindProvisioner   Kind = "provisioner"
	KindPostProcessor Kind = "post-processor"
	KindHook          Kind = "hook"
	KindCommand       Kind = "command"
)

// Kinds lists every Kind, in the order above.
func Kinds() []Kind {
	return []Kind{KindBuilder, KindProvisioner, KindPostProcessor, KindHook, KindCommand}
}
