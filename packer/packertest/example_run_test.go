package packertest_test

import (
	"runtime"
	"testing"
)

// TestExample_provisionerPassesTheKit runs the example's test, so the
// example's provisioner and harness stay right.
func TestExample_provisionerPassesTheKit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the example's command runs sh")
	}
	testProvisioner(t)
}
