package rpc

import (
	"reflect"
	"strings"
	"testing"

	"github.com/packer-classic/packer/communicator/local"
	"github.com/packer-classic/packer/packer"
)

// TestInterfaces_everyMethodNameIsServedAndEveryKindCrosses checks the
// declarations against their servers, so that a method name that is wrong
// shows here rather than as a failed call at run time.
func TestInterfaces_everyMethodNameIsServedAndEveryKindCrosses(t *testing.T) {
	s := &session{}
	samples := map[string]any{
		"Control":       s,
		"Builder":       &funcBuilder{},
		"Provisioner":   funcProvisioner(nil),
		"PostProcessor": funcPostProcessor(nil),
		"Hook":          funcHook(nil),
		"Ui":            &recordingUi{},
		"Artifact":      &fileArtifact{},
		"Communicator":  &local.Communicator{},
		"Command":       echoCommand{},
		"RemoteCmd":     &cmdExitServer{},
	}
	for id, i := range wireInterfaces {
		sample, ok := samples[i.name]
		if !ok {
			t.Errorf("interface %s (%d) has no sample in this test: add one", i.name, id)
			continue
		}
		receiver := i.serve(s, sample)
		if receiver == nil {
			t.Errorf("%s does not serve its own sample %T", i.name, sample)
			continue
		}
		if i.serve(s, struct{}{}) != nil {
			t.Errorf("%s serves a value that does not implement it", i.name)
		}
		rt := reflect.TypeOf(receiver)
		for _, m := range i.methods {
			service, method, _ := strings.Cut(m, ".")
			if service != i.name {
				t.Errorf("method %q is declared on %s", m, i.name)
			}
			if _, ok := rt.MethodByName(method); !ok {
				t.Errorf("%s's receiver %s has no method %s", i.name, rt, method)
			}
		}
	}
	for _, kind := range packer.Kinds() {
		if _, err := interfaceOf(kind); err != nil {
			t.Errorf("kind %s: %v", kind, err)
		}
	}
}
