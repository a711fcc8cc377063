//go:build !linux

package tree

import (
	"context"
	"fmt"
	"runtime"

	"github.com/packer-classic/packer/packer"
)

// isolation holds nothing where commands cannot be isolated.
type isolation struct{}

var errNoIsolation = fmt.Errorf("commands in a rootfs tree run isolated in it, never outside, and that needs Linux (mount, PID and user namespaces); this is %s: build the tree on Linux", runtime.GOOS)

// Check says that commands cannot run isolated in the tree here: that needs
// Linux (see the package doc).
func (c *Communicator) Check() (string, error) { return "", errNoIsolation }

func (c *Communicator) start(context.Context, *packer.RemoteCmd) error { return errNoIsolation }
