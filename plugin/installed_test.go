package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyInstalled_aChangedBinaryIsRefusedWithBothDigests(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "packer-plugin-duo")
	os.WriteFile(binary, []byte("installed"), 0o755)
	installed := sha256.Sum256([]byte("installed"))
	recorded := hex.EncodeToString(installed[:])
	os.WriteFile(filepath.Join(dir, "packer-plugin-duo_SHA256SUM"), []byte(recorded+"\n"), 0o644)
	if err := VerifyInstalled(binary); err != nil {
		t.Fatalf("the binary as installed: %v", err)
	}

	os.WriteFile(binary, []byte("tampered"), 0o755)
	tampered := sha256.Sum256([]byte("tampered"))
	err := VerifyInstalled(binary)
	if err == nil {
		t.Fatal("a changed binary was accepted")
	}
	for _, want := range []string{binary, "expected sha256 " + recorded, "actual sha256 " + hex.EncodeToString(tampered[:]), "packer plugins install"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}

	// A checksum file that is not a sha256 is refused without being shown.
	os.WriteFile(filepath.Join(dir, "packer-plugin-duo_SHA256SUM"), []byte("\x1b[2J not a digest"), 0o644)
	if err := VerifyInstalled(binary); err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), "does not hold a sha256") {
		t.Errorf("a garbled checksum file: err = %q", err)
	}
}
