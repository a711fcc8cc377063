package e2e

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/packer-classic/packer/internal/testdeps"
)

// TestE2E_rootfsProvisioningNeverTouchesTheHost builds, through the real
// binary, a rootfs from a busybox tree with the file and shell provisioners
// doing what issue 16 saw reach the host: an absolute touch, writing a
// host directory the build's user can write to, cat /etc/motd, writes
// through var/run -> /run, and a script run from the default remote_folder.
// Everything must land in the tree, nothing on this machine; as root (a
// mount namespace) and, when the tests run as root, again as an
// unprivileged user (a user namespace).
func TestE2E_rootfsProvisioningNeverTouchesTheHost(t *testing.T) {
	newEnv(t)
	skipWithoutTreeIsolation(t)
	modes := []struct {
		name string
		uid  int
	}{{fmt.Sprintf("as uid %d", os.Geteuid()), -1}}
	if os.Geteuid() == 0 {
		modes = append(modes, struct {
			name string
			uid  int
		}{fmt.Sprintf("as uid %d", testdeps.UnprivilegedUID), testdeps.UnprivilegedUID})
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { provisionRootfsAs(t, m.uid) })
	}
}

// provisionRootfsAs runs the build as uid (-1: this process's own).
func provisionRootfsAs(t *testing.T, uid int) {
	base, err := os.MkdirTemp("", "rootfs-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	dir := func(name string, mode os.FileMode) string {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(p, mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		if uid >= 0 {
			os.Chown(p, uid, uid)
		}
		return p
	}
	e := &env{t: t, dir: dir("work", 0o755), home: dir("home", 0o700), pathDir: dir("path", 0o755)}
	host := dir("host", 0o777) // a directory of this machine the build's user could write to
	binary := filepath.Join(dir("bin", 0o755), "packer")
	data, err := os.ReadFile(filepath.Join(bins.dir, exe("packer")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(binary, data, 0o755); err != nil {
		t.Fatal(err)
	}

	src := filepath.Join(base, "src")
	testdeps.BusyboxTree(t, src)
	unique := fmt.Sprintf("packer-e2e-%d", time.Now().UnixNano())
	marker, scriptMarker := "/"+unique+"-i-was-here", "/"+unique+"-script-was-here"
	// Where a command on the host would have written.
	onHost := []string{marker, scriptMarker, "/run/" + unique + "-written", "/run/" + unique + "-uploaded", filepath.Join(host, "marker")}
	t.Cleanup(func() {
		for _, p := range onHost {
			os.Remove(p)
		}
	})
	e.writeFile("motd.txt", "the tree's motd, from the file provisioner\n")
	e.writeFile("script.sh", "#!/bin/sh\necho \"script ran as $(id -u) in $(pwd)\"\ntouch "+scriptMarker+"\n")
	tpl := e.writeFile("t.json", `{
		"builders": [{"type": "rootfs", "source": `+jsonString(src)+`, "output_directory": "out", "format": "tar"}],
		"provisioners": [
			{"type": "file", "source": "motd.txt", "destination": "/etc/motd"},
			{"type": "file", "content": "uploaded through the link\n", "destination": "/var/run/`+unique+`-uploaded"},
			{"type": "shell", "inline": [
				"touch `+marker+`",
				"mkdir -p `+host+` && touch `+host+`/marker",
				"cat /etc/motd",
				"echo through > /var/run/`+unique+`-written"
			]},
			{"type": "shell", "script": "script.sh"}
		]}`)
	for _, f := range []string{"motd.txt", "script.sh", "t.json"} {
		os.Chmod(filepath.Join(e.dir, f), 0o644)
	}

	cmd := e.command("build", tpl)
	cmd.Path = binary
	if uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := packerRun{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	for _, p := range onHost {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("provisioning wrote %s on this machine\n%v", p, r)
		}
	}
	if uid >= 0 && r.code != 0 && strings.Contains(r.stderr, "commands cannot run isolated in the tree") {
		t.Skipf("SKIPPED: user namespaces are not available to uid %d here; the build refused to start, as it must:\n%v", uid, r)
	}
	if r.code != 0 {
		t.Fatalf("packer build: %v", r)
	}
	mustContain(t, r, "stdout", "the tree's motd, from the file provisioner")
	mustContain(t, r, "stdout", "script ran as 0 in /")
	mustContain(t, r, "stdout", "Commands run isolated in the tree")
	if mounts := testdeps.MountsUnder(t, base); len(mounts) > 0 {
		t.Errorf("left mounted on this machine after the build: %v", mounts)
	}

	entries := tarEntries(t, filepath.Join(e.dir, "out", "rootfs.tar"))
	for name, want := range map[string]string{
		"etc/motd":                    "the tree's motd, from the file provisioner\n",
		"run/" + unique + "-uploaded": "uploaded through the link\n",
		"run/" + unique + "-written":  "through\n",
		marker[1:]:                    "",
		scriptMarker[1:]:              "",
		host[1:] + "/marker":          "",
	} {
		got, ok := entries[name]
		if !ok {
			t.Errorf("the tree lacks %s", name)
		} else if got != want {
			t.Errorf("the tree's %s holds %q, want %q", name, got, want)
		}
	}
	if _, ok := entries["etc/resolv.conf"]; ok {
		t.Error("the tree keeps etc/resolv.conf, the placeholder this machine's was bound onto")
	}
}

// tarEntries reads a plain tar: each regular file's content, and "" for
// every other entry.
func tarEntries(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[strings.TrimSuffix(hdr.Name, "/")] = string(body)
	}
}
