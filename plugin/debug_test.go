package plugin

import (
	"bufio"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebugServer_aPluginStartedByHandIsReattachedAndOutlivesItsCores runs
// a plugin as an author would under a debugger (-debug-server), hands its
// line to the core through PACKER_REATTACH_PLUGINS, and uses it twice.
func TestDebugServer_aPluginStartedByHandIsReattachedAndOutlivesItsCores(t *testing.T) {
	cmd := helperCmd("builder")
	cmd.Args = append(cmd.Args, DebugServerFlag)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	value, ok := strings.CutPrefix(strings.TrimSpace(line), ReattachEnv+"=")
	if !ok {
		t.Fatalf("the debug server printed %q", line)
	}
	t.Setenv(ReattachEnv, value)
	reattach, err := ReattachFromEnv(filepath.Base(cmd.Path))
	if err != nil || reattach == nil || reattach.Pid != cmd.Process.Pid {
		t.Fatalf("ReattachFromEnv = %+v, %v", reattach, err)
	}
	for i := range 2 {
		c := NewClient(&ClientConfig{Reattach: reattach, Name: "packer-builder-test"})
		b, err := c.Builder()
		if err != nil {
			t.Fatalf("core %d: %v", i, err)
		}
		a, err := b.Run(context.Background(), newAnsweringUi("plain"), nil)
		if err != nil || a.Id() != "plain" {
			t.Fatalf("core %d: Run = %v, %v", i, a, err)
		}
		c.Kill()
		if !processAlive(cmd.Process.Pid) {
			t.Fatalf("core %d's Kill killed the debug server", i)
		}
	}
	if r, _ := ReattachFromEnv("packer-builder-other"); r != nil {
		t.Errorf("a plugin not in %s was reattached: %+v", ReattachEnv, r)
	}
}
