package qemu

import (
	"fmt"
	"os"
)

// Artifact is the disk image the build left in its output directory.
type Artifact struct {
	dir    string
	disk   string
	config Config
	accel  string
}

// BuilderId is Packer's id for qemu artifacts.
func (*Artifact) BuilderId() string { return BuilderId }

// Files is the disk image.
func (a *Artifact) Files() []string { return []string{a.disk} }

// Id is vm_name.
func (a *Artifact) Id() string { return a.config.VMName }

// String says where the image is.
func (a *Artifact) String() string {
	return fmt.Sprintf("VM files in directory: %s", a.dir)
}

// State gives Packer's qemu values: diskName (vm_name), diskType (the
// format), diskSize (disk_size, empty when a disk image kept its own) and
// domainType (the accelerator).
func (a *Artifact) State(name string) any {
	switch name {
	case "diskName":
		return a.config.VMName
	case "diskType":
		return a.config.Format
	case "diskSize":
		return a.config.DiskSize
	case "domainType":
		return a.accel
	}
	return nil
}

// Destroy removes the output directory.
func (a *Artifact) Destroy() error { return os.RemoveAll(a.dir) }
