//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The lifecycle of SDK plugin processes across real processes: Ctrl-C in
// each phase, a plugin that dies mid-call, one that never answers its
// handshake, and SIGKILL of the core. After each, no process of the
// fixture runs and nothing is left in TMPDIR.

// cancelTemplate has the fixture wait for a cancel in the phase named by
// which (builder, provisioner or post-processor).
func cancelTemplate(which string) string {
	flag := func(phase, key string) string {
		if phase == which {
			return `, "` + key + `": true`
		}
		return ""
	}
	return `{
  "builders": [{"type": "fixture-local", "message": "m"` + flag("builder", "wait_for_cancel") + `}],
  "provisioners": [{"type": "fixture-probe", "text": "t"` + flag("provisioner", "wait_for_cancel") + `}],
  "post-processors": [{"type": "fixture-probe"` + flag("post-processor", "wait_for_cancel") + `}]
}`
}

func TestE2E_ctrlCInEachPhaseOfAnSDKBuildCancelsItCleanly(t *testing.T) {
	for _, c := range []struct{ phase, waiting, cancelled string }{
		{"builder", "fixture builder: waiting for cancel", "fixture builder: cancelled"},
		{"provisioner", "probe: waiting for cancel", "probe: cancelled"},
		{"post-processor", "pp: waiting for cancel", "pp: cancelled"},
	} {
		t.Run(c.phase, func(t *testing.T) {
			s := newSDKEnv(t, "")
			s.writeFile("t.json", cancelTemplate(c.phase))
			r := s.start("build", "t.json")
			r.waitFor(r.stdout, c.waiting)
			r.signal(syscall.SIGINT)
			code, out, errOut := r.wait()
			if code != exitInterrupted {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errOut)
			}
			// The plugin saw its context end (X.Cancel reached it) and
			// said so before its call returned.
			if !strings.Contains(out, c.cancelled) {
				t.Errorf("the plugin did not see the cancel (no %q)\nstdout:\n%s\nstderr:\n%s", c.cancelled, out, errOut)
			}
			s.assertClean()
		})
	}
}

func TestE2E_anSDKPluginThatDiesMidCallFailsTheBuildSayingHow(t *testing.T) {
	for _, c := range []struct{ name, template, said string }{
		{"builder", `{"builders": [{"type": "fixture-local", "die_in_run": true}]}`, "exit status 7"},
		{"provisioner", `{"builders": [{"type": "fixture-local"}], "provisioners": [{"type": "fixture-probe", "die": true}]}`, "exit status 5"},
		{"post-processor", `{"builders": [{"type": "fixture-local"}], "post-processors": [{"type": "fixture-probe", "die": true}]}`, "exit status 6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSDKEnv(t, "")
			s.writeFile("t.json", c.template)
			r := s.run("build", "t.json")
			if r.code != 1 {
				t.Errorf("exit code %d, want 1\n%v", r.code, r)
			}
			mustContain(t, r, "stderr", "plugin packer-plugin-fixture exited unexpectedly ("+c.said+")")
			s.assertClean()
		})
	}
}

func TestE2E_anSDKPluginThatNeverAnswersItsHandshakeIsStoppedAndNamed(t *testing.T) {
	s := newSDKEnv(t, "")
	s.extra = append(s.extra, "PACKER_PLUGIN_TIMEOUT=2s")
	s.writeFile("t.json", `{"builders": [{"type": "fixture-hang"}]}`)
	r := s.run("build", "t.json")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\n%v", r.code, r)
	}
	mustContain(t, r, "stderr", "plugin packer-plugin-fixture ("+filepath.Join(s.plugins, "packer-plugin-fixture")+", a packer-plugin-sdk plugin) failed to start: it did not complete the handshake within 2s")
	s.assertClean()
}

func TestE2E_killingTheCoreDuringAnSDKCallLeavesNoProcessNorDirectory(t *testing.T) {
	s := newSDKEnv(t, "")
	s.writeFile("t.json", cancelTemplate("provisioner"))
	r := s.start("build", "t.json")
	r.waitFor(r.stdout, "probe: waiting for cancel")
	if len(processesFrom(s.plugins)) == 0 {
		t.Fatal("no fixture process runs while a provisioner waits: the test looks in the wrong place")
	}
	r.signal(syscall.SIGKILL)
	r.cmd.Wait()
	s.assertClean()
}

func TestE2E_anSDKPluginOfAnotherAPIIsRefusedNamingItsVersions(t *testing.T) {
	s := newSDKEnv(t, "")
	// A describe from a future SDK, as a script in front of the fixture.
	script := "#!/bin/sh\n" +
		`if [ "$1" = describe ]; then echo '{"version":"2.0.0","sdk_version":"0.9.0","api_version":"x6.0","builders":["local"],"post_processors":[],"provisioners":[],"datasources":[],"protocol_version":"v3"}'; exit 0; fi` + "\n" +
		"exit 1\n"
	if err := os.WriteFile(filepath.Join(s.plugins, "packer-plugin-future"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s.writeFile("t.json", `{"builders": [{"type": "future-local"}]}`)
	r := s.run("build", "t.json")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\n%v", r.code, r)
	}
	mustContain(t, r, "stderr", "is a packer-plugin-sdk plugin (version 2.0.0, SDK 0.9.0) for plugin API x6.0, and this packer runs plugins of API x5.0")
}

// A provisioner past its "timeout" that ignores its cancel is given up on
// packer.CancelGrace later, its plugin stopped, as for packer's own.
func TestE2E_anSDKProvisionerThatIgnoresItsTimeoutIsGivenUpOn(t *testing.T) {
	s := newSDKEnv(t, "")
	s.writeFile("t.json", `{
  "builders": [{"type": "fixture-local"}],
  "provisioners": [{"type": "fixture-probe", "ignore_cancel": true, "timeout": "1s"}]
}`)
	r := s.run("build", "t.json")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\n%v", r.code, r)
	}
	mustContain(t, r, "stdout", "probe: ignoring cancel")
	mustContain(t, r, "stderr", "Provisioner.Provision had not returned 5s after its deadline passed: the plugin ignores its cancel, and was stopped")
	s.assertClean()
}
