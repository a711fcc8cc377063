package packer

// Ui is how a component talks to the person running Packer. Every component
// receives one; the core decides how (and whether) each kind of output is
// shown. packertest.TestUi checks an implementation against what follows.
//
// Every method may be called from several goroutines at once. What Say,
// Message and Error are given has been shown when they return, whole however
// long, in the order of the calls; a Ui in another process is called
// synchronously, so a component that talks a lot waits for the person's
// terminal as a local one would.
type Ui interface {
	// Ask shows query and returns the line the user types. With no person
	// at a terminal to answer (CI, input redirected, -machine-readable) it
	// returns at once an error that errors.Is ErrNoTerminal, never waits.
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
