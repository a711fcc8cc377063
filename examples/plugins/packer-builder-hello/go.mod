module example.com/packer-builder-hello

go 1.25.0

require github.com/packer-classic/packer v0.0.0

require (
	github.com/go-viper/mapstructure/v2 v2.5.0 // indirect
	github.com/hashicorp/errwrap v1.0.0 // indirect
	github.com/hashicorp/go-multierror v1.1.1 // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/hashicorp/yamux v0.1.2 // indirect
)

// Inside this repository the example builds against the working tree;
// a plugin of your own drops this line and requires a released version.
replace github.com/packer-classic/packer => ../../..
