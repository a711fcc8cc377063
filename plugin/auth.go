package plugin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// The mutual proof on a fresh connection, before any RPC:
//
//	core   -> plugin: authHello, core nonce (32 bytes)
//	plugin -> core:   plugin nonce (32), HMAC(key, "plugin", core nonce, plugin nonce)
//	core   -> plugin: HMAC(key, "core", core nonce, plugin nonce), then RPC
//
// Each side learns the other holds the key, and neither proof can be
// replayed on another connection, because both nonces are fresh. It costs
// one round trip: the core sends its proof only to a listener that has
// proved the key, so it need not wait to hear that its own proof was
// accepted, and its first RPC follows the proof at once. The plugin reads
// nothing past the proof until it has checked it; a connection whose proof
// is wrong is closed without a byte of RPC.

const (
	authHello   = "PKRAUTH2"
	nonceSize   = 32
	authKeySize = 32
	authTimeout = 10 * time.Second
)

var errAuth = errors.New("the other end did not prove it holds this plugin's key")

func newAuthKey() (string, error) {
	key := make([]byte, authKeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("making the plugin's key: %w", err)
	}
	return hex.EncodeToString(key), nil
}

func decodeAuthKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != authKeySize {
		return nil, fmt.Errorf("%s is not a key this plugin understands (was it started by a packer core of the same version?)", authKeyEnv)
	}
	return key, nil
}

func proof(key []byte, role string, coreNonce, pluginNonce []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(role))
	mac.Write(coreNonce)
	mac.Write(pluginNonce)
	return mac.Sum(nil)
}

// authenticateCore is the core's half: it proves the key and checks that the
// listener it reached holds it too.
func authenticateCore(conn net.Conn, key []byte) error {
	conn.SetDeadline(time.Now().Add(authTimeout))
	defer conn.SetDeadline(time.Time{})
	coreNonce := make([]byte, nonceSize)
	rand.Read(coreNonce)
	if _, err := conn.Write(append([]byte(authHello), coreNonce...)); err != nil {
		return fmt.Errorf("sending the key proof: %w", err)
	}
	answer := make([]byte, nonceSize+sha256.Size)
	if _, err := io.ReadFull(conn, answer); err != nil {
		return fmt.Errorf("reading the plugin's key proof: %w (%w)", err, errAuth)
	}
	pluginNonce, pluginProof := answer[:nonceSize], answer[nonceSize:]
	if !hmac.Equal(pluginProof, proof(key, "plugin", coreNonce, pluginNonce)) {
		return errAuth
	}
	if _, err := conn.Write(proof(key, "core", coreNonce, pluginNonce)); err != nil {
		return fmt.Errorf("sending the key proof: %w", err)
	}
	return nil
}

// authenticatePlugin is the plugin's half: it checks that the connection
// comes from the core that holds the key.
func authenticatePlugin(conn net.Conn, key []byte) error {
	conn.SetDeadline(time.Now().Add(authTimeout))
	defer conn.SetDeadline(time.Time{})
	hello := make([]byte, len(authHello)+nonceSize)
	if _, err := io.ReadFull(conn, hello); err != nil {
		return err
	}
	if string(hello[:len(authHello)]) != authHello {
		return errAuth
	}
	coreNonce := hello[len(authHello):]
	pluginNonce := make([]byte, nonceSize)
	rand.Read(pluginNonce)
	if _, err := conn.Write(append(pluginNonce, proof(key, "plugin", coreNonce, pluginNonce)...)); err != nil {
		return err
	}
	coreProof := make([]byte, sha256.Size)
	if _, err := io.ReadFull(conn, coreProof); err != nil {
		return err
	}
	if !hmac.Equal(coreProof, proof(key, "core", coreNonce, pluginNonce)) {
		return errAuth
	}
	return nil
}
