package packer_test

import (
	"fmt"

	"github.com/packer-classic/packer/packer"
)

// A component's Prepare: DecodeConfig reads the template's keys, and the
// core's packer_* keys after them, into the component's configuration
// struct, and reports every unknown key and every bad value at once, each
// by name.
func ExampleDecodeConfig() {
	type Config struct {
		Message string `mapstructure:"message"`
		Retries int    `mapstructure:"retries"`

		packer.PackerConfig `mapstructure:",squash"`
	}

	var c Config
	err := packer.DecodeConfig(&c,
		map[string]any{"message": "hello", "retries": "2"}, // from the template
		map[string]any{packer.BuildNameConfigKey: "web"},   // from the core
	)
	fmt.Println(c.Message, c.Retries, c.PackerBuildName, err)

	err = packer.DecodeConfig(&c, map[string]any{"mesage": "hello", "retries": "two"})
	fmt.Println(err)
	// Output:
	// hello 2 web <nil>
	// 2 errors occurred:
	//	* 'retries' cannot parse value as 'int': strconv.ParseInt: invalid syntax
	//	* unknown configuration key: "mesage"
}
