package packer

// Ui is how a component talks to the person running Packer. Every component
// receives one; the core decides how (and whether) each kind of output is
// shown.
type Ui interface {
	// Ask shows query and returns the line the user types.
	Ask(query string) (string, error)
	// Say shows a major step of the component's work.
	Say(message string)
	// Message shows detail under the current step, such as the output of a
	// command running on the machine.
	Message(message string)
	// Error shows a problem the user must know about.
	Error(message string)
	// Machine emits a machine-readable event: kind names it, args are its
	// data. It is shown only with -machine-readable.
	Machine(kind string, args ...string)
}
