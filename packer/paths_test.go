package packer

import (
	"os"
	"strings"
	"testing"
)

func TestCheckOutputPath_refusesEscapesAndNULs(t *testing.T) {
	for path, want := range map[string]string{
		"out/manifest.json": "",
		"/tmp/abs/manifest": "",
		"a/../b":            "",
		"../outside":        "leaves the working directory",
		"out/../../outside": "leaves the working directory",
		"bad\x00name":       "NUL byte",
	} {
		err := CheckOutputPath("output", path)
		if want == "" && err != nil {
			t.Errorf("%q: %v", path, err)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "output: ")) {
			t.Errorf("%q: %v, want %q naming the key", path, err, want)
		}
	}
}

func TestCheckOutputPath_refusesSymlinksThatLeadOutside(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	os.Mkdir("real", 0o755)
	os.Symlink("real", "inside")
	if err := CheckOutputPath("output", "out/manifest.json"); err == nil || !strings.Contains(err.Error(), "a symlink to") {
		t.Errorf("through an outside symlink: %v", err)
	}
	if err := CheckOutputPath("output", "inside/manifest.json"); err != nil {
		t.Errorf("through an inside symlink: %v", err)
	}
	if err := CheckOutputPath("output", "new/dir/manifest.json"); err != nil {
		t.Errorf("a path not made yet: %v", err)
	}
}

func TestOpenOutput_writesInsideAndRefusesASymlinkPlantedAfterTheCheck(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	if err := CheckOutputPath("output", "out/file.txt"); err != nil {
		t.Fatal(err)
	}
	// Planted between the check and the write.
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	f, err := OpenOutput("output", "out/file.txt", os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		f.Close()
		t.Fatal("wrote through a symlink that leads outside the working directory")
	}
	if !strings.HasPrefix(err.Error(), "output: ") || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("error %q should name the key and the symlink", err)
	}
	if _, err := os.Stat(outside + "/file.txt"); err == nil {
		t.Error("the file was created outside")
	}

	if err := MkdirOutput("output", "real/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	f, err = OpenOutput("output", "real/sub/file.txt", os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := MkdirOutput("output", "out/newdir", 0o755); err == nil {
		t.Error("made a directory through a symlink that leads outside")
	}
}

func TestRenameOutput_movesInsideAndRefusesASymlinkPlantedOutside(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	os.WriteFile(".part", []byte("done"), 0o644)
	if err := RenameOutput("output", ".part", "final"); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile("final"); err != nil || string(data) != "done" {
		t.Errorf("final holds %q, %v", data, err)
	}
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := RenameOutput("output", "final", "out/final"); err == nil || !strings.HasPrefix(err.Error(), "output: ") {
		t.Errorf("renamed through a symlink that leads outside: %v", err)
	}
	if _, err := os.Stat(outside + "/final"); err == nil {
		t.Error("the file was moved outside")
	}
	if err := RenameOutput("output", "final", outside+"/abs"); err == nil || !strings.Contains(err.Error(), "one path is absolute") {
		t.Errorf("mixed paths: %v", err)
	}
}

func TestRemoveOutput_removesInsideAndNeverFollowsOut(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	os.WriteFile(outside+"/keep", []byte("x"), 0o644)
	os.WriteFile("gone", []byte("x"), 0o644)
	if err := RemoveOutput("output", "gone"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveOutput("output", "gone"); err != nil {
		t.Errorf("removing a file already gone: %v", err)
	}
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := RemoveOutput("output", "out/keep"); err == nil {
		t.Error("removed through a symlink that leads outside")
	}
	if _, err := os.Stat(outside + "/keep"); err != nil {
		t.Errorf("the file outside is gone: %v", err)
	}
}

func TestOpenOutputRoot_makesTheDirectoryAndKeepsEveryWriteInside(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	if err := os.Symlink(outside, "link"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if _, err := OpenOutputRoot("destination", "link/sub", 0o755); err == nil || !strings.HasPrefix(err.Error(), "destination: ") {
		t.Errorf("a relative directory through a symlink that leads outside = %v, want an error naming the key", err)
	}
	root, err := OpenOutputRoot("destination", "got/deep", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := os.Symlink(outside, "got/deep/planted"); err != nil {
		t.Fatal(err)
	}
	if f, err := root.Create("planted/file.txt"); err == nil {
		f.Close()
		t.Error("the root wrote through a symlink planted in it")
	}
	if err := root.WriteFile("file.txt", []byte("in"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile("got/deep/file.txt"); string(data) != "in" {
		t.Errorf("got/deep/file.txt = %q", data)
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("%d entries written outside", len(entries))
	}
}

// sayUi records what Say was called with.
type sayUi struct {
	linesUi
	said []string
}

func (u *sayUi) Say(m string) { u.said = append(u.said, m) }

func TestClaimOutputDirectory_refusesAnExistingOneUnlessForced(t *testing.T) {
	t.Chdir(t.TempDir())
	ui := &sayUi{}
	if err := ClaimOutputDirectory(ui, "output_directory", "out/vm", false); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("out/vm/old.img", []byte("x"), 0o644)
	err := ClaimOutputDirectory(ui, "output_directory", "out/vm", false)
	if err == nil || !strings.Contains(err.Error(), "output_directory out/vm already exists; remove it or run packer build -force") {
		t.Errorf("an existing directory without -force = %v", err)
	}
	if _, err := os.Stat("out/vm/old.img"); err != nil {
		t.Errorf("refusing removed what was there: %v", err)
	}
	if err := ClaimOutputDirectory(ui, "output_directory", "out/vm", true); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir("out/vm"); err != nil || len(entries) != 0 {
		t.Errorf("after -force out/vm = %v, %v; want an empty directory", entries, err)
	}
	if len(ui.said) != 1 || !strings.Contains(ui.said[0], "Removing the existing output_directory out/vm (-force)") {
		t.Errorf("said %q", ui.said)
	}
}

func TestClaimOutputDirectory_forcedRemovesAPlantedLinkNotItsTarget(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(outside+"/keep", []byte("x"), 0o644)
	t.Chdir(t.TempDir())
	if err := os.Symlink(outside, "out"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := ClaimOutputDirectory(&sayUi{}, "output_directory", "out", true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside + "/keep"); err != nil {
		t.Errorf("-force removed what the link pointed to: %v", err)
	}
	if fi, err := os.Lstat("out"); err != nil || !fi.IsDir() {
		t.Errorf("out = %v, %v; want a new directory in the link's place", fi, err)
	}
}
