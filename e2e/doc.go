// Package e2e holds the end-to-end tests of the packer command: TestMain
// builds the real packer binary (and the test plugins under
// testdata/plugins) into a temporary directory with go build, and each test
// runs it as a user would, in its own empty directory with its own HOME, so
// no user config or plugin leaks in. The golden corpus recorded from real
// Packer (testdata/packer-golden) is replayed here too.
//
// The package has no code of its own; it lives apart from the command so
// that the repository's root reads as the command.
package e2e
