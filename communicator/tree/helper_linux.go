package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The isolation helper is this program re-executed with argv[0] set to
// helperName, its first argument the action and its flags joined by
// commas, its second the tree's absolute path, and the rest the command's
// argv. It reports on fd 3 (statusFD): helperStarted once the command runs,
// or what failed, and exits as the command did.
const (
	helperName     = "packer-tree-isolate"
	helperRun      = "run"   // set up, then run the command
	helperProbe    = "probe" // set up, then exit 0: Check
	flagUser       = "user"  // in a user namespace
	flagResolvConf = "resolv-conf"
	helperStarted  = "started"
	statusFD       = 3
)

// helperFailed is the helper's exit status when its setup failed; the
// reason is on the status pipe.
const helperFailed = 125

// init runs the helper in place of the program it is linked into, so that
// packer, a plugin or a test binary that uses this package can isolate
// commands without wiring anything in its main. It exits with syscall.Exit:
// the helper has nothing to flush, and os.Exit would run the program's exit
// hooks (a race-detector build sleeps a second in them).
func init() {
	if len(os.Args) > 1 && os.Args[0] == helperName {
		syscall.Exit(runHelper(os.Args[1:]))
	}
}

func runHelper(args []string) int {
	syscall.CloseOnExec(statusFD) // the command must not hold it
	status := os.NewFile(statusFD, "status")
	fail := func(err error) int {
		status.WriteString(err.Error())
		return helperFailed
	}
	if len(args) < 2 {
		return fail(errors.New("usage: " + helperName + " ACTION[,FLAG...] TREE [COMMAND...] (run by packer itself)"))
	}
	// Started by Communicator, the helper is the init of a PID namespace
	// of its own, in a mount namespace of its own. Run any other way (a
	// link named like it), its mounts would change this machine's.
	if os.Getpid() != 1 {
		return fail(errors.New(helperName + " runs only as packer starts it, in namespaces of its own"))
	}
	flags := strings.Split(args[0], ",")
	dir, argv := args[1], args[2:]
	if err := setUp(dir, slices.Contains(flags, flagUser), slices.Contains(flags, flagResolvConf)); err != nil {
		return fail(err)
	}
	if err := pivot(dir); err != nil {
		return fail(err)
	}
	if flags[0] == helperProbe {
		status.WriteString(helperStarted)
		return 0
	}
	if len(argv) == 0 {
		return fail(errors.New("no command to run"))
	}
	proc, err := os.StartProcess(argv[0], argv, &os.ProcAttr{
		Dir:   "/",
		Env:   os.Environ(),
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
	})
	if errors.Is(err, fs.ErrNotExist) {
		return fail(fmt.Errorf("the tree has no %s to run the command with: a rootfs build runs commands inside its tree, so start it from a source that has a shell", argv[0]))
	}
	if err != nil {
		return fail(fmt.Errorf("starting %s in the tree: %w", argv[0], err))
	}
	status.WriteString(helperStarted)
	status.Close()
	return reap(proc.Pid)
}

// reap waits, as the PID namespace's init, for every process orphaned to
// it until pid exits, and returns pid's status as a shell reports it. The
// rest are killed by the kernel when the helper exits.
func reap(pid int) int {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return helperFailed
		}
		if got != pid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}

// setUp makes the helper's mount namespace private and mounts what a
// command needs in the tree at dir (see the package doc).
func setUp(dir string, inUserNamespace, bindResolvConf bool) error {
	// First of all: nothing mounted from here on may reach the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making the new mount namespace private: %w", err)
	}
	// pivot_root needs the new root to be a mount.
	if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("binding the tree onto itself: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if _, err := mountOn(root, "proc", "proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return err
	}
	// A fresh sysfs needs a network namespace of the user namespace's own:
	// the host's, bound read-only, serves both modes.
	sys, err := mountOn(root, "sys", "/sys", "", unix.MS_BIND|unix.MS_REC, "")
	if err != nil {
		return err
	}
	if err := readOnly(root, sys, true); err != nil {
		return fmt.Errorf("making /sys in the tree read-only: %w", err)
	}
	if err := mountDev(root, inUserNamespace); err != nil {
		return err
	}
	if bindResolvConf {
		rel, err := Resolve(root, "etc/resolv.conf")
		if err != nil {
			return err
		}
		if err := bindOn(root, rel, "/etc/resolv.conf"); err != nil {
			return err
		}
		if err := readOnly(root, rel, false); err != nil {
			return fmt.Errorf("making /etc/resolv.conf in the tree read-only: %w", err)
		}
	}
	return nil
}

// mountOn mounts source on the directory name in the tree, made when
// missing, and returns its resolved path. The mount goes through a
// descriptor of the directory, never through its path again, so nothing
// swapped in meanwhile can redirect it.
func mountOn(root *os.Root, name, source, fstype string, flags uintptr, data string) (string, error) {
	rel, err := MkdirAll(root, name, 0o755)
	if err != nil {
		return "", fmt.Errorf("the mount point /%s: %w", name, err)
	}
	f, err := root.Open(rel)
	if err != nil {
		return "", fmt.Errorf("the mount point /%s: %w", name, err)
	}
	defer f.Close()
	if err := unix.Mount(source, fdPath(f), fstype, flags, data); err != nil {
		what := fstype
		if what == "" {
			what = source
		}
		return "", fmt.Errorf("mounting %s on /%s in the tree: %w", what, name, err)
	}
	return rel, nil
}

// bindOn binds the host's file source onto the existing file rel in root.
func bindOn(root *os.Root, rel, source string) error {
	f, err := root.Open(rel)
	if err != nil {
		return fmt.Errorf("the mount point /%s: %w", rel, err)
	}
	defer f.Close()
	if err := unix.Mount(source, fdPath(f), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("binding %s onto /%s in the tree: %w", source, rel, err)
	}
	return nil
}

func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// readOnly makes the mount at rel (and, recursive, those below it)
// read-only, keeping its other flags: a user namespace may not drop them.
func readOnly(root *os.Root, rel string, recursive bool) error {
	f, err := root.Open(rel) // the mount, now that it covers rel
	if err != nil {
		return err
	}
	defer f.Close()
	flags := uint(unix.AT_EMPTY_PATH)
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	err = unix.MountSetattr(int(f.Fd()), "", flags, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if !errors.Is(err, unix.ENOSYS) {
		return err
	}
	// Before Linux 5.12: remount the top mount alone.
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return err
	}
	remount := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY)
	for st_, ms := range map[int64]uintptr{
		unix.ST_NOSUID: unix.MS_NOSUID, unix.ST_NODEV: unix.MS_NODEV, unix.ST_NOEXEC: unix.MS_NOEXEC,
		unix.ST_NOATIME: unix.MS_NOATIME, unix.ST_NODIRATIME: unix.MS_NODIRATIME, unix.ST_RELATIME: unix.MS_RELATIME,
	} {
		if st.Flags&st_ != 0 {
			remount |= ms
		}
	}
	return unix.Mount("", fdPath(f), "", remount, "")
}

// hostDevices are bound from the host's /dev into the tree's.
var hostDevices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// mountDev mounts a tmpfs on the tree's /dev with the few devices a command
// needs, bound from the host's (a user namespace cannot make device nodes),
// the usual links, a devpts of its own and a /dev/shm.
func mountDev(root *os.Root, inUserNamespace bool) error {
	rel, err := mountOn(root, "dev", "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k")
	if err != nil {
		return err
	}
	dev, err := root.OpenRoot(rel)
	if err != nil {
		return err
	}
	defer dev.Close()
	for _, name := range hostDevices {
		f, err := dev.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
		if err != nil {
			return fmt.Errorf("/dev/%s in the tree: %w", name, err)
		}
		f.Close()
		if err := bindOn(dev, name, "/dev/"+name); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx",
	} {
		if err := dev.Symlink(target, name); err != nil {
			return fmt.Errorf("/dev/%s in the tree: %w", name, err)
		}
	}
	pts := "newinstance,ptmxmode=0666,mode=0620"
	if !inUserNamespace {
		pts += ",gid=5" // tty, as Debian has it; unmapped in a user namespace
	}
	if _, err := mountOn(dev, "pts", "devpts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, pts); err != nil {
		return err
	}
	if _, err := mountOn(dev, "shm", "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=65536k"); err != nil {
		return err
	}
	return nil
}

// pivot makes the tree at dir the root of the mount namespace and detaches
// the host's, or, where pivot_root cannot work (the host's root is an
// initramfs), chroots into it.
func pivot(dir string) error {
	if err := unix.Chdir(dir); err != nil {
		return err
	}
	// With new and old root the same, the old root ends up stacked on the
	// new one, and unmounting "." takes it away (see pivot_root(2)).
	if err := unix.PivotRoot(".", "."); err != nil {
		if !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("making the tree the root (pivot_root): %w", err)
		}
		if err := unix.Chroot("."); err != nil {
			return fmt.Errorf("chroot into the tree: %w", err)
		}
		return unix.Chdir("/")
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the host's root: %w", err)
	}
	return unix.Chdir("/")
}
