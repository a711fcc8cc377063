package ssh

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/crypto/ssh"
)

// Defaults of the keys a user leaves out, as in Packer.
const (
	DefaultPort              = 22
	DefaultTimeout           = 5 * time.Minute
	DefaultHandshakeAttempts = 10
	DefaultKeepAliveInterval = 5 * time.Second
)

// File transfer methods (ssh_file_transfer_method).
const (
	TransferSCP  = "scp"
	TransferSFTP = "sftp"
)

// Config holds Packer's ssh_* keys. A builder embeds it in its own
// configuration with `mapstructure:",squash"`, calls Prepare once the
// configuration is decoded, and passes it to Connect.
//
// Host keys are not checked: a builder's machine is new, so its key cannot
// be known in advance, and Packer accepts any host key for the same reason.
type Config struct {
	// Host is the address to connect to. Builders that know the machine's
	// address (a port forward, a cloud instance's IP) pass it to Connect
	// and use Host only when the user set it.
	Host string `mapstructure:"ssh_host"`
	// Port is the SSH server's port (default 22).
	Port int `mapstructure:"ssh_port"`
	// Username is the user to log in as; required.
	Username string `mapstructure:"ssh_username"`
	// Password authenticates with the "password" and
	// "keyboard-interactive" methods.
	Password string `mapstructure:"ssh_password"`
	// PrivateKeyFile is an unencrypted private key (OpenSSH, PEM or
	// PKCS#8) for the "publickey" method.
	PrivateKeyFile string `mapstructure:"ssh_private_key_file"`
	// Timeout bounds how long Connect (and every reconnect) keeps trying
	// (default 5m): a new machine's SSH server comes up at a moment
	// nobody knows in advance.
	Timeout time.Duration `mapstructure:"ssh_timeout"`
	// HandshakeAttempts is how many handshakes that reach the server but
	// fail (authentication refused, no common algorithm) Connect makes
	// before it gives up (default 10). Attempts that find no server, or a
	// server that closes before its greeting, do not count.
	HandshakeAttempts int `mapstructure:"ssh_handshake_attempts"`
	// Pty runs commands in a pseudo-terminal; their standard error then
	// arrives on standard output.
	Pty bool `mapstructure:"ssh_pty"`
	// FileTransferMethod is "scp" (the default) or "sftp".
	FileTransferMethod string `mapstructure:"ssh_file_transfer_method"`
	// KeepAliveInterval is how often a keep-alive request is sent (default
	// 5s); a connection whose server answers none for three intervals is
	// dropped. Negative turns keep-alives off.
	KeepAliveInterval time.Duration `mapstructure:"ssh_keep_alive_interval"`

	// BastionHost, when set, is a jump host: the connection to the machine
	// is tunnelled through an SSH connection to it.
	BastionHost string `mapstructure:"ssh_bastion_host"`
	// BastionPort is the jump host's port (default 22).
	BastionPort int `mapstructure:"ssh_bastion_port"`
	// BastionUsername is the user on the jump host (default Username).
	BastionUsername string `mapstructure:"ssh_bastion_username"`
	// BastionPassword and BastionPrivateKeyFile authenticate on the jump
	// host as Password and PrivateKeyFile do on the machine.
	BastionPassword       string `mapstructure:"ssh_bastion_password"`
	BastionPrivateKeyFile string `mapstructure:"ssh_bastion_private_key_file"`
}

// Prepare fills in the defaults and checks every key, returning all the
// problems at once in a *multierror.Error (nil when there are none), each
// naming its key. It reads the private key files, so a missing or encrypted
// key is reported before a build starts. A builder calls it only when its
// communicator is ssh: ssh_username is required.
func (c *Config) Prepare() error {
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HandshakeAttempts == 0 {
		c.HandshakeAttempts = DefaultHandshakeAttempts
	}
	if c.FileTransferMethod == "" {
		c.FileTransferMethod = TransferSCP
	}
	if c.KeepAliveInterval == 0 {
		c.KeepAliveInterval = DefaultKeepAliveInterval
	}
	if c.BastionHost != "" {
		if c.BastionPort == 0 {
			c.BastionPort = DefaultPort
		}
		if c.BastionUsername == "" {
			c.BastionUsername = c.Username
		}
	}

	var errs *multierror.Error
	add := func(format string, args ...any) { errs = multierror.Append(errs, fmt.Errorf(format, args...)) }
	if c.Username == "" {
		add("ssh_username: must be set: the user to log in as on the machine")
	}
	if c.Password == "" && c.PrivateKeyFile == "" {
		add("ssh_password or ssh_private_key_file: one must be set, to log in as %q", c.Username)
	}
	if c.PrivateKeyFile != "" {
		if _, err := loadSigner("ssh_private_key_file", c.PrivateKeyFile); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		add("ssh_port: %d is not a TCP port (1-65535)", c.Port)
	}
	if c.Timeout < 0 {
		add("ssh_timeout: %s is negative; give how long to keep trying to connect, such as 5m", c.Timeout)
	}
	if c.HandshakeAttempts < 0 {
		add("ssh_handshake_attempts: %d is negative; give how many failed handshakes to allow, such as 10", c.HandshakeAttempts)
	}
	switch c.FileTransferMethod {
	case TransferSCP, TransferSFTP:
	default:
		add("ssh_file_transfer_method: %q is not one of scp, sftp", c.FileTransferMethod)
	}
	if c.BastionHost != "" {
		if c.BastionPort < 1 || c.BastionPort > 65535 {
			add("ssh_bastion_port: %d is not a TCP port (1-65535)", c.BastionPort)
		}
		if c.BastionUsername == "" {
			add("ssh_bastion_username: must be set (or ssh_username) to use ssh_bastion_host")
		}
		if c.BastionPassword == "" && c.BastionPrivateKeyFile == "" {
			add("ssh_bastion_password or ssh_bastion_private_key_file: one must be set to use ssh_bastion_host %s", c.BastionHost)
		}
		if c.BastionPrivateKeyFile != "" {
			if _, err := loadSigner("ssh_bastion_private_key_file", c.BastionPrivateKeyFile); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
	}
	return errs.ErrorOrNil()
}

// loadSigner reads the private key in path, which the configuration key
// named key gave.
func loadSigner(key, path string) (ssh.Signer, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("%s: %s is encrypted with a passphrase, which packer cannot ask for; give a copy without one (ssh-keygen -p -N '' -f COPY)", key, path)
	case err != nil:
		return nil, fmt.Errorf("%s: %s is not a private key packer can read: %w", key, path, err)
	}
	return signer, nil
}

// authMethods returns the ways to log in that password and keyFile allow,
// public key first, as OpenSSH's client tries them.
func authMethods(password, keyKey, keyFile string) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if keyFile != "" {
		signer, err := loadSigner(keyKey, keyFile)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if password != "" {
		methods = append(methods,
			ssh.Password(password),
			// Servers that take passwords only through PAM offer
			// keyboard-interactive; every prompt gets the password.
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	return methods, nil
}
