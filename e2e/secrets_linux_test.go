package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// commandLinesHolding returns the command lines of the processes on this
// machine that hold s: what any user sees with ps.
func commandLinesHolding(t *testing.T, s string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue // not a process, or it exited while we looked
		}
		if bytes.Contains(cmdline, []byte(s)) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// filesHolding returns the files directly in dir whose content holds s,
// with their modes.
func filesHolding(t *testing.T, dir, s string) map[string]os.FileMode {
	t.Helper()
	found := map[string]os.FileMode{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte(s)) {
			info, _ := os.Stat(path)
			found[e.Name()] = info.Mode().Perm()
		}
	}
	return found
}

// TestE2E_environmentVarsNeverReachACommandLine pauses a provisioner's
// script (on a FIFO) while it runs and looks at every process's command
// line for the value of an environment_vars entry; the value may only be
// in the script's environment, or a file only its owner can read, removed
// afterwards.
func TestE2E_environmentVarsNeverReachACommandLine(t *testing.T) {
	for _, tc := range []struct {
		name, builder, provisioner string
	}{
		{"shell-local", `{"type": "null"}`, `"type": "shell-local"`},
		{"shell on the local communicator", `{"type": "null", "communicator": "local"}`, `"type": "shell", "remote_folder": "REMOTE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			secret := "PsSecret-" + rand.Text()
			tmp, remote := t.TempDir(), t.TempDir()
			e.extra = append(e.extra, "TMPDIR="+tmp)
			ready, release := filepath.Join(e.dir, "ready"), filepath.Join(e.dir, "release")
			for _, fifo := range []string{ready, release} {
				if err := syscall.Mkfifo(fifo, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got := filepath.Join(e.dir, "got.txt")
			inline := `["echo \"$SECRET\" > ` + got + `", "echo ready > ` + ready + `", "read x < ` + release + `"]`
			provisioner := strings.Replace(tc.provisioner, "REMOTE", remote, 1)
			tpl := e.writeFile("t.json", sensitiveTemplate(tc.builder,
				`{`+provisioner+`, "environment_vars": ["SECRET={{user `+"`secret`"+`}}"], "inline": `+inline+`}`))

			// Both FIFOs are opened read-write, so neither open waits for
			// the script, and a packer that fails early cannot hang the test.
			readyFifo, err := os.OpenFile(ready, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer readyFifo.Close()
			releaseFifo, err := os.OpenFile(release, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer releaseFifo.Close()

			run := e.startBuffered("build", "-var", "secret="+secret, tpl)
			paused := make(chan struct{})
			go func() {
				readyFifo.Read(make([]byte, 6))
				close(paused)
			}()
			select {
			case <-paused:
			case err := <-run.exited:
				t.Fatalf("packer ended (%v) before its script paused\n%v", err, run.result(err))
			}

			// packer's own command line holds the -var flag: the user's
			// choice (a var file or the environment keeps it off). Nothing
			// else may.
			for _, line := range commandLinesHolding(t, secret) {
				if !strings.Contains(line, "-var secret="+secret) {
					t.Errorf("a command line holds the value of an environment_vars entry:\n%s", line)
				}
			}
			for _, dir := range []string{tmp, remote} {
				for name, mode := range filesHolding(t, dir, secret) {
					if mode != 0o600 {
						t.Errorf("%s holds the value and has mode %v, want -rw-------", filepath.Join(dir, name), mode)
					}
				}
			}

			releaseFifo.WriteString("go\n")
			if err := <-run.exited; err != nil {
				t.Fatalf("packer build: %v\n%v", err, run.result(err))
			}
			if data, _ := os.ReadFile(got); string(data) != secret+"\n" {
				t.Errorf("the script saw SECRET=%q, want the value given", data)
			}
			for _, dir := range []string{tmp, remote} {
				if left := filesIn(t, dir); len(left) > 0 {
					t.Errorf("%s still holds %q after the build: scripts and variable files must be removed", dir, left)
				}
			}
		})
	}
}

// TestE2E_plantedLinksCannotRedirectTheShellProvisionersScript plants a
// symlink at every name the shell provisioner's script used to get
// (/tmp/script_N.sh, N < 10000), each to a victim file: a script name must
// be unpredictable, and made new, never written through what is there.
func TestE2E_plantedLinksCannotRedirectTheShellProvisionersScript(t *testing.T) {
	e := newEnv(t)
	remote := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("original\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for n := range 10000 {
		if err := os.Symlink(victim, filepath.Join(remote, fmt.Sprintf("script_%d.sh", n))); err != nil {
			t.Fatal(err)
		}
	}
	tpl := e.writeFile("t.json", `{"builders": [{"type": "null", "communicator": "local"}],
		"provisioners": [{"type": "shell", "remote_folder": `+jsonString(remote)+`, "inline": ["echo the script ran"]}]}`)
	r := e.run("build", tpl)
	if r.code != 0 {
		t.Fatal(r)
	}
	mustContain(t, r, "stdout", "the script ran")
	info, err := os.Stat(victim)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "original\n" || info.Mode().Perm() != 0o644 {
		t.Errorf("the victim was written through a planted link: %q, mode %v", data, info.Mode().Perm())
	}
	if left := filesIn(t, remote); len(left) != 10000 {
		t.Errorf("want only the 10000 planted links left in %s, found %d entries", remote, len(left))
	}
}
