package packer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

type exampleConfig struct {
	PackerConfig `mapstructure:",squash"`
	Name         string        `mapstructure:"name"`
	Count        int           `mapstructure:"count"`
	Enabled      bool          `mapstructure:"enabled"`
	Timeout      time.Duration `mapstructure:"timeout"`
	Tags         []string      `mapstructure:"tags"`
}

func TestDecodeConfig_mergesRawsInOrder(t *testing.T) {
	var c exampleConfig
	err := DecodeConfig(&c,
		map[string]interface{}{"name": "first", "count": 1},
		map[string]interface{}{"name": "second"},
		map[string]interface{}{BuildNameConfigKey: "web", ForceConfigKey: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "second" || c.Count != 1 {
		t.Errorf("got name %q count %d, want later raw to override: second, 1", c.Name, c.Count)
	}
	if c.PackerBuildName != "web" || !c.PackerForce {
		t.Errorf("core keys not decoded: %+v", c.PackerConfig)
	}
}

func TestDecodeConfig_weakTypesAndDurations(t *testing.T) {
	var c exampleConfig
	err := DecodeConfig(&c, map[string]interface{}{
		"count": "8", "enabled": "true", "timeout": "1m30s", "tags": "a,b",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Count != 8 || !c.Enabled || c.Timeout != 90*time.Second || len(c.Tags) != 2 {
		t.Errorf("weak decoding failed: %+v", c)
	}
}

func TestDecodeConfig_reportsEveryProblemAtOnce(t *testing.T) {
	var c exampleConfig
	err := DecodeConfig(&c, map[string]interface{}{
		"nmae":    "typo",
		"colour":  "red",
		"count":   "many",
		"timeout": "soon",
	})
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		t.Fatalf("want a *multierror.Error, got %T: %v", err, err)
	}
	if len(merr.Errors) != 4 {
		t.Fatalf("want 4 errors (2 unknown keys, 2 bad values), got %d:\n%v", len(merr.Errors), err)
	}
	for _, key := range []string{"nmae", "colour", "count", "timeout"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name key %q:\n%v", key, err)
		}
	}
}

func TestDecodeConfig_acceptsCoreKeysWithoutPackerConfig(t *testing.T) {
	var c struct {
		Name string `mapstructure:"name"`
	}
	err := DecodeConfig(&c, map[string]interface{}{"name": "x", DebugConfigKey: true, UserVariablesConfigKey: map[string]string{}})
	if err != nil {
		t.Fatalf("core keys must be accepted by any component: %v", err)
	}
}
