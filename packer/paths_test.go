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
