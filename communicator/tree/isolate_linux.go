package tree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/packer-classic/packer/internal/exitstatus"
	"github.com/packer-classic/packer/internal/procgroup"
	"github.com/packer-classic/packer/packer"
)

// mode is a way of isolating commands in the tree.
type mode int

const (
	// mountNamespace: new mount and PID namespaces, for root.
	mountNamespace mode = iota + 1
	// userNamespace: a new user namespace mapping this process's uid and
	// gid to root, owning new mount and PID namespaces.
	userNamespace
)

func (m mode) String() string {
	if m == mountNamespace {
		return "a mount and PID namespace (packer runs as root)"
	}
	return fmt.Sprintf("a user namespace mapping uid %d to root, with its own mount and PID namespaces", os.Getuid())
}

// isolation is a Communicator's state for running commands: the mode Check
// found, and the resolv.conf placeholder commands share.
type isolation struct {
	mu       sync.Mutex
	checked  bool
	mode     mode
	err      error
	resolv   string // the placeholder's path in the tree, while in use
	resolvBy int    // commands using it
}

// Check makes sure commands can run isolated in the tree: it tries the
// ways this process can (a mount namespace as root, else a user
// namespace) by running the isolation's setup once without a command, and
// keeps the first that works. It returns how commands will be isolated, or
// an error that says what each way needs. Start calls it when nobody did.
func (c *Communicator) Check() (string, error) {
	m, err := c.mode()
	if err != nil {
		return "", err
	}
	return m.String(), nil
}

func (c *Communicator) mode() (mode, error) {
	iso := &c.isolation
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.checked {
		return iso.mode, iso.err
	}
	iso.checked = true
	tries := []mode{userNamespace}
	if os.Geteuid() == 0 {
		tries = []mode{mountNamespace, userNamespace}
	}
	var failures []string
	for _, m := range tries {
		err := c.probe(m)
		if err == nil {
			iso.mode = m
			return m, nil
		}
		failures = append(failures, fmt.Sprintf("in %s: %v", m, err))
	}
	iso.err = fmt.Errorf("commands cannot run isolated in the tree %s, and never run outside it: %s. "+
		"They need Linux, and root with CAP_SYS_ADMIN or user namespaces enabled for packer's user "+
		"(sysctl user.max_user_namespaces above 0; kernel.unprivileged_userns_clone=1 and "+
		"kernel.apparmor_restrict_unprivileged_userns=0 where the kernel has them): run packer as root, or enable user namespaces",
		c.Root, strings.Join(failures, "; "))
	return 0, iso.err
}

// probe runs the helper's setup in mode m, without a command.
func (c *Communicator) probe(m mode) error {
	cmd, status, err := c.helper(context.Background(), m, []string{helperProbe}, nil)
	if err == nil {
		err = waitStarted(cmd, status)
	}
	if err == nil {
		err = cmd.Wait()
	}
	return err
}

func (c *Communicator) start(ctx context.Context, rc *packer.RemoteCmd) error {
	m, err := c.mode()
	if err != nil {
		return err
	}
	bindResolv, release := c.holdResolvConf()
	flags := []string{helperRun}
	if bindResolv {
		flags = append(flags, flagResolvConf)
	}
	cmd, status, err := c.helper(ctx, m, flags, []string{"/bin/sh", "-c", rc.Command}, func(cmd *procgroup.Cmd) {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = rc.Stdin, rc.Stdout, rc.Stderr
	})
	if err == nil {
		err = waitStarted(cmd, status)
	}
	if err != nil {
		release()
		return fmt.Errorf("running %q in the tree: %w", rc.Command, err)
	}
	go func() {
		cmd.Wait()
		release()
		// The command's own status: a writer that failed lost output, but
		// did not change how the command ended.
		rc.SetExited(exitstatus.Of(cmd.ProcessState))
	}()
	return nil
}

// helper starts the isolation helper in mode m with flags (the action
// first) and the command's argv, and returns it with the read end of its
// status pipe.
func (c *Communicator) helper(ctx context.Context, m mode, flags, argv []string, setup ...func(*procgroup.Cmd)) (*procgroup.Cmd, *os.File, error) {
	dir, err := filepath.Abs(c.Root)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("the tree: %w", err)
	}
	if m == userNamespace {
		flags = append(flags, flagUser)
	}
	cmd := procgroup.Command(ctx, "/proc/self/exe", append([]string{strings.Join(flags, ","), dir}, argv...)...)
	cmd.Args[0] = helperName
	cmd.Env = commandEnv(c.Env)
	attr := cmd.SysProcAttr
	attr.Cloneflags = syscall.CLONE_NEWNS | syscall.CLONE_NEWPID
	// Everything in the namespace dies with the helper, and the helper
	// with the thread that started it.
	attr.Pdeathsig = syscall.SIGKILL
	if m == userNamespace {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	for _, f := range setup {
		f(cmd)
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.ExtraFiles = []*os.File{statusW} // fd 3 in the helper
	err = cmd.Start()
	statusW.Close()
	if err != nil {
		statusR.Close()
		return nil, nil, fmt.Errorf("starting the isolation helper: %w", err)
	}
	return cmd, statusR, nil
}

// waitStarted reads the helper's status pipe: helperStarted once the
// command runs (or, probing, once the setup is done), else what failed. On
// failure the helper is waited for.
func waitStarted(cmd *procgroup.Cmd, status *os.File) error {
	msg, _ := io.ReadAll(status)
	status.Close()
	if string(msg) == helperStarted {
		return nil
	}
	waitErr := cmd.Wait()
	if len(msg) == 0 {
		return fmt.Errorf("the isolation helper ended before it said why (%v)", waitErr)
	}
	return errors.New(string(msg))
}

// holdResolvConf gives a command the host's /etc/resolv.conf when the tree
// has none: it makes an empty etc/resolv.conf for the helper to bind the
// host's onto, read-only, shared by the commands that run at once. It
// returns whether the helper is to bind it, and what to call when the
// command ended, which removes the placeholder after the last one (unless
// something wrote into it meanwhile, from outside the commands).
func (c *Communicator) holdResolvConf() (bool, func()) {
	iso := &c.isolation
	iso.mu.Lock()
	defer iso.mu.Unlock()
	nothing := func() {}
	if iso.resolvBy == 0 {
		if _, err := os.Stat("/etc/resolv.conf"); err != nil {
			return false, nothing
		}
		root, err := c.open()
		if err != nil {
			return false, nothing
		}
		defer root.Close()
		rel, err := ResolveParent(root, "/etc/resolv.conf")
		if err != nil { // no /etc in the tree: nothing to put it in
			return false, nothing
		}
		if _, err := root.Lstat(rel); !errors.Is(err, fs.ErrNotExist) {
			return false, nothing // the tree's own (or a link it chose)
		}
		f, err := root.OpenFile(rel, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return false, nothing
		}
		f.Close()
		iso.resolv = rel
	}
	iso.resolvBy++
	var once sync.Once
	return true, func() { once.Do(c.releaseResolvConf) }
}

func (c *Communicator) releaseResolvConf() {
	iso := &c.isolation
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.resolvBy--; iso.resolvBy > 0 {
		return
	}
	root, err := c.open()
	if err != nil {
		return
	}
	defer root.Close()
	if info, err := root.Lstat(iso.resolv); err == nil && info.Mode().IsRegular() && info.Size() == 0 {
		root.Remove(iso.resolv)
	}
	iso.resolv = ""
}
