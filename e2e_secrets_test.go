package main

// End-to-end tests of what packer must never show or write: sensitive
// values in any form, anywhere a user or another user on the machine can
// read them (docs/security.md, "Secrets").

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestE2E_theLogFileIsCreatedReadableByItsOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	e := newEnv(t)
	logFile := filepath.Join(e.dir, "packer.log")
	e.extra = append(e.extra, "PACKER_LOG_PATH="+logFile)
	if r := e.run("version"); r.code != 0 {
		t.Fatal(r)
	}
	info, err := os.Stat(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the log file was created with mode %v, want -rw------- (it can hold what plugins print)", perm)
	}
}
