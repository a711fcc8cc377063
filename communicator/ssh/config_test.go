package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/packer-classic/packer/packer"
)

// builderConfig is how a builder embeds Config.
type builderConfig struct {
	Comm Config `mapstructure:",squash"`
	Name string `mapstructure:"vm_name"`
}

func TestConfigDecodesPackersKeysAndFillsDefaults(t *testing.T) {
	key := filepath.Join(t.TempDir(), "id")
	writePrivateKey(t, key)
	var c builderConfig
	err := packer.DecodeConfig(&c, map[string]any{
		"vm_name":                 "x",
		"ssh_username":            "root",
		"ssh_private_key_file":    key,
		"ssh_pty":                 true,
		"ssh_timeout":             "90s",
		"ssh_keep_alive_interval": "-1s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Comm.Prepare(); err != nil {
		t.Fatal(err)
	}
	want := Config{Port: 22, Username: "root", PrivateKeyFile: key, Pty: true, Timeout: 90 * time.Second,
		HandshakeAttempts: 10, FileTransferMethod: "scp", KeepAliveInterval: -time.Second}
	if c.Comm != want {
		t.Errorf("got %+v, want %+v", c.Comm, want)
	}

	d := Config{Username: "u", Password: "p"}
	if err := d.Prepare(); err != nil {
		t.Fatal(err)
	}
	if d.Timeout != 5*time.Minute || d.KeepAliveInterval != 5*time.Second || d.Port != 22 || d.HandshakeAttempts != 10 {
		t.Errorf("defaults: %+v", d)
	}
}

func TestConfigReportsEveryProblemNamingItsKey(t *testing.T) {
	dir := t.TempDir()
	c := Config{
		Port:                  70000,
		Timeout:               -time.Second,
		HandshakeAttempts:     -1,
		FileTransferMethod:    "rsync",
		PrivateKeyFile:        filepath.Join(dir, "missing"),
		BastionHost:           "jump",
		BastionPort:           -2,
		BastionPrivateKeyFile: filepath.Join(dir, "also-missing"),
	}
	err := c.Prepare()
	if err == nil {
		t.Fatal("Prepare accepted a bad configuration")
	}
	for _, want := range []string{
		"ssh_username: must be set",
		"ssh_port: 70000",
		"ssh_timeout: -1s",
		"ssh_handshake_attempts: -1",
		`ssh_file_transfer_method: "rsync" is not one of scp, sftp`,
		"ssh_private_key_file: open " + filepath.Join(dir, "missing"),
		"ssh_bastion_port: -2",
		"ssh_bastion_username: must be set",
		"ssh_bastion_private_key_file: open " + filepath.Join(dir, "also-missing"),
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}

	noCredentials := Config{Username: "root"}
	if err := noCredentials.Prepare(); err == nil || !strings.Contains(err.Error(), "ssh_password or ssh_private_key_file: one must be set") {
		t.Errorf("no credentials: %v", err)
	}
}

func TestConfigRefusesKeysItCannotUse(t *testing.T) {
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	encrypted := filepath.Join(dir, "encrypted")
	if err := os.WriteFile(encrypted, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	notAKey := filepath.Join(dir, "not-a-key")
	if err := os.WriteFile(notAKey, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		encrypted: "ssh_private_key_file: " + encrypted + " is encrypted with a passphrase",
		notAKey:   "ssh_private_key_file: " + notAKey + " is not a private key",
	} {
		c := Config{Username: "root", PrivateKeyFile: path}
		if err := c.Prepare(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want it to say %q", path, err, want)
		}
	}
}
