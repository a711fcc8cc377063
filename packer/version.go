package packer

// Version is the version of this Packer, stamped at build time by
// `make dist` with -ldflags "-X github.com/packer-classic/packer/packer.Version=...".
// Templates compare min_packer_version against it and `packer version`
// prints it.
var Version = "0.1.0-dev"
