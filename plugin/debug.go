package plugin

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/packer-classic/packer/rpc"
)

// DebugServerFlag starts a plugin on its own, for a debugger: it listens,
// prints the PACKER_REATTACH_PLUGINS line a core needs to use it, and serves
// one core after another until it is stopped.
const DebugServerFlag = "-debug-server"

// ReattachEnv names the variable that makes the core use running plugins
// instead of starting them: a JSON object of binary name to Reattach.
const ReattachEnv = "PACKER_REATTACH_PLUGINS"

// Reattach is where a plugin started with -debug-server listens.
type Reattach struct {
	Addr string `json:"addr"`
	Key  string `json:"key"`
	Pid  int    `json:"pid"`
}

func debugRequested() bool { return slices.Contains(os.Args[1:], DebugServerFlag) }

// serveDebug is Serve for -debug-server. Cores are served one after
// another; one that connects while another is served waits, already
// authenticated, for its turn.
func serveDebug(component any, out io.Writer) error {
	keyHex, err := newAuthKey()
	if err != nil {
		return err
	}
	key, _ := decodeAuthKey(keyHex)
	listener, err := listenForCore()
	if err != nil {
		return err
	}
	defer listener.Close()
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	line, _ := json.Marshal(map[string]Reattach{name: {Addr: listener.Addr().String(), Key: keyHex, Pid: os.Getpid()}})
	fmt.Fprintf(out, "%s='%s'\n", ReattachEnv, line)
	logger := log.New(os.Stderr, "", log.LstdFlags)
	logger.Printf("%s: waiting for a core; set the line above in its environment", name)

	cores := make(chan net.Conn)
	done := make(chan struct{})
	defer close(done)
	acceptErr := make(chan error, 1)
	go func() {
		acceptErr <- acceptAuthenticated(listener, key, logger, func(conn net.Conn) {
			select {
			case cores <- conn:
			case <-done:
				conn.Close()
			}
		})
	}()
	for {
		select {
		case conn := <-cores:
			logger.Printf("a core connected from %s", conn.RemoteAddr())
			rpc.Serve(conn, component, &rpc.Config{Logger: logger})
			logger.Printf("the core disconnected; waiting for the next one")
		case err := <-acceptErr:
			return err
		}
	}
}

// ReattachFromEnv returns the running plugin PACKER_REATTACH_PLUGINS names
// for binary (its base name), if any.
func ReattachFromEnv(binary string) (*Reattach, error) {
	raw := strings.Trim(strings.TrimSpace(os.Getenv(ReattachEnv)), "'")
	if raw == "" {
		return nil, nil
	}
	var all map[string]Reattach
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		return nil, fmt.Errorf("%s is not the JSON a plugin's -debug-server printed: %v", ReattachEnv, err)
	}
	r, ok := all[strings.TrimSuffix(filepath.Base(binary), ".exe")]
	if !ok {
		return nil, nil
	}
	return &r, nil
}

// reattach connects to a plugin started with -debug-server.
func (c *Client) reattach(r *Reattach) error {
	key, err := decodeAuthKey(r.Key)
	if err != nil {
		return fmt.Errorf("%s for %s: %w", ReattachEnv, c.name, err)
	}
	conn, err := net.Dial("tcp", r.Addr)
	if err != nil {
		return fmt.Errorf("reattaching to %s at %s (%s): %w; is the -debug-server still running?", c.name, r.Addr, ReattachEnv, err)
	}
	if err := authenticateCore(conn, key); err != nil {
		conn.Close()
		return fmt.Errorf("reattaching to %s at %s: %w", c.name, r.Addr, err)
	}
	client, err := rpc.NewClient(conn, &rpc.Config{Logger: c.logger})
	if err != nil {
		conn.Close()
		return err
	}
	c.mu.Lock()
	c.rpc = client
	c.mu.Unlock()
	return nil
}
