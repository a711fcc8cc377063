// Package tree is a packer.Communicator confined to a directory tree, the
// root filesystem a rootfs build makes. Nothing a provisioner does through
// it touches this machine outside the tree.
//
// # Files
//
// Paths are inside the tree: "/etc/motd" is ROOT/etc/motd. They resolve as
// a command chrooted in the tree sees them: a symlink is followed, an
// absolute one from the tree's root (Debian's var/run -> /run is ROOT/run,
// etc/localtime -> /usr/share/zoneinfo/UTC is ROOT/usr/share/...). A path
// with "..", and a symlink whose ".." would climb above the tree's root,
// are refused (ErrEscape) before anything is read or written. Resolve walks
// the path element by element through an os.Root opened at the tree, and
// every file is then opened through that os.Root, which refuses any
// symlink leading out of it: a symlink swapped in between the walk and the
// open makes the open fail; it cannot lead it outside.
//
// # Commands
//
// Commands run isolated in the tree, always, on Linux: packer re-executes
// its own binary (/proc/self/exe, named "packer-tree-isolate" in argv[0],
// which this package's init recognizes in any program that links it: the
// packer binary, a plugin, a test binary) as a small helper started in new
// namespaces:
//
//   - as root, a new mount namespace and PID namespace;
//   - otherwise (or when root cannot make them, as in a container without
//     CAP_SYS_ADMIN), a new user namespace that maps the caller's uid and
//     gid to root, with its own mount and PID namespaces.
//
// The helper makes every mount in its namespace private, so nothing it
// mounts reaches the host's, then bind-mounts the tree onto itself and
// mounts, inside it, a fresh /proc, a /sys bound read-only from the host's,
// a tmpfs /dev holding null, zero, full, random, urandom and tty (bound
// from the host's) with a devpts /dev/pts and a tmpfs /dev/shm, and the
// host's /etc/resolv.conf read-only over an empty placeholder when the
// tree has no resolv.conf of its own (the placeholder is removed when the
// last command using it ends). Mount points the tree lacks are made, as
// empty directories. It then makes the tree its root with pivot_root(2)
// and detaches the host's root, so, unlike a plain chroot, there is no way
// back to the host's filesystem from inside (where pivot_root cannot work,
// with an initramfs as the host's root, it falls back to chroot(2)). It
// starts the command there (/bin/sh -c COMMAND, with a clean environment:
// PATH, HOME=/root, the host's TERM, LANG, LC_ALL and TZ, then Env) and,
// as the PID namespace's init, reaps what is orphaned to it until the
// command exits, and exits as it did (128+N for a signal N). The namespace
// dies with the helper: every process still in it is killed by the
// kernel, and every mount is gone with it. The helper runs in a process
// group of its own (see internal/procgroup) and dies with the process that
// started it, so cancelling a command, or packer's death, ends everything
// the command started.
//
// Why a re-executed helper: mounting /proc needs a process inside the new
// PID namespace, and a user namespace can only be entered by a
// single-threaded process, so neither can be done from packer's own,
// multi-threaded process; and a shell script mounting inside the tree
// would need mount(8) in it, which an empty or minimal tree has not.
//
// Check runs the helper's setup once without a command: a build calls it
// before provisioning, so that a machine where commands cannot run
// isolated fails the build at once, saying what is needed (root, or user
// namespaces enabled). On other systems than Linux, Check and Start say
// that commands in a tree need Linux; files still work.
package tree
