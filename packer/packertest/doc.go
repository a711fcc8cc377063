// Package packertest holds what a component author needs to test a
// component against the contracts the framework guarantees: conformance
// kits, in the spirit of golang.org/x/net/nettest.TestConn and
// testing/fstest.TestFS, that drive an implementation through the whole of
// its interface's documented contract and report every rule it breaks, and
// a recording Ui.
//
//	func TestMyCommunicator(t *testing.T) {
//		packertest.TestCommunicator(t, func(t *testing.T) (packer.Communicator, string) {
//			return myComm(t), "/tmp/kit" // a directory the kit may use on the machine
//		})
//	}
//
// TestCommunicator, TestBuilder, TestProvisioner, TestPostProcessor and
// TestUi each take the component through a constructor, so the same kit
// runs against an implementation in the test's process and against the
// same implementation served by a real plugin process (package plugin's
// tests do both). The rules each kit checks are written in the doc comments
// of the interfaces in package packer; a kit's failure message names the
// rule.
package packertest
