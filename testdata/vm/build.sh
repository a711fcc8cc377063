#!/usr/bin/env bash
# Builds the test machine the qemu builder's tests boot, from Debian packages
# only (apt-get download, dpkg-deb -x; nothing from any other site):
#
#   vmlinuz      the kernel of linux-image-cloud-amd64
#   initrd.img   a busybox initramfs (cpio newc, gzip) whose /init loads the
#                virtio modules and switches root to /dev/vda
#   rootfs.img   a raw ext4 image (mke2fs -d): busybox, dropbear with ed25519,
#                ecdsa and rsa host keys, scp, sftp-server; its init brings up
#                eth0 as 10.0.2.15/24 (qemu's user network), starts dropbear
#                and powers the machine off cleanly on `poweroff`
#   id_ed25519   the private key (OpenSSH format) whose public half is root's
#                authorized key; id_ed25519.pub beside it
#   cmdline      the kernel command line the images expect
#   SHA256SUMS   the images' checksums, for iso_checksum "file:..."
#
# Usage: testdata/vm/build.sh [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to .cache/testvm/HASH under the repository, HASH being
# that of this script, so a change here builds a new machine and an unchanged
# script builds it once. An OUTPUT_DIR that holds a finished machine is left
# as it is. The directory is filled under a temporary name and renamed when
# complete, so a run that is interrupted, or two runs at once, never leave a
# half-built machine behind. The last line of standard output is the
# directory; progress goes to standard error.
#
# Needs: apt-get and dpkg-deb (Debian's), mke2fs and debugfs (e2fsprogs),
# sha256sum and gzip. It runs the downloaded programs (busybox, dropbearkey)
# through the downloaded loader, so the host's own versions do not matter.
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
repo="$(cd "$(dirname "${script}")/../.." && pwd)"
hash="$(sha256sum "${script}" | cut -c1-16)"
out="${1:-${repo}/.cache/testvm/${hash}}"

say() { echo "testvm: $*" >&2; }
die() { echo "testvm: ERROR: $*" >&2; exit 1; }

if [[ -f "${out}/complete" ]]; then
	echo "${out}"
	exit 0
fi

for tool in apt-get apt-cache dpkg-deb mke2fs debugfs sha256sum gzip; do
	command -v "${tool}" >/dev/null 2>&1 ||
		die "${tool} is not installed; this script needs Debian's apt-get and dpkg-deb, and e2fsprogs (apt-get install e2fsprogs)"
done

mkdir -p "$(dirname "${out}")"
work="$(mktemp -d "$(dirname "${out}")/.build-XXXXXX")"
trap 'rm -rf "${work}"' EXIT
debs="${work}/debs" # the downloaded packages
x="${work}/x"       # every package unpacked, the source of all files below
initrd="${work}/initrd"
root="${work}/root"
img="${work}/img"
mkdir -p "${debs}" "${x}" "${initrd}" "${root}" "${img}"

# refresh_lists runs apt-get update once, as root, when the package lists
# are missing or stale (a download of a version Debian no longer serves).
refreshed=""
refresh_lists() {
	[[ -z "${refreshed}" && $(id -u) -eq 0 ]] || return 1
	refreshed=1
	say "apt-get update"
	apt-get update >"${work}/apt-update.log" 2>&1 || die "apt-get update failed: $(tail -3 "${work}/apt-update.log")"
}

# The meta package names the real image package; download that.
kernel_package() {
	apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
kernel_pkg="$(kernel_package)"
if [[ -z "${kernel_pkg}" ]] && refresh_lists; then
	kernel_pkg="$(kernel_package)"
fi
[[ -n "${kernel_pkg}" ]] ||
	die "apt-cache cannot resolve linux-image-cloud-amd64 to a kernel package; run apt-get update as root"

# The programs the machine runs and the libraries they link (checked below:
# a library that resolves outside these packages fails the build).
packages=(
	"${kernel_pkg}" busybox-static dropbear-bin openssh-client openssh-sftp-server
	libc6 libcrypt1 libtomcrypt1 libtommath1 libgmp10 zlib1g
)
say "downloading ${packages[*]}"
apt_opts=()
# apt's download sandbox user cannot write a directory only root can.
[[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)
download() { (cd "${debs}" && apt-get download "${apt_opts[@]}" "${packages[@]}" >"${work}/apt.log" 2>&1); }
if ! download && ! { refresh_lists && download; }; then
	die "apt-get download failed: $(tail -3 "${work}/apt.log")"
fi
for deb in "${debs}"/*.deb; do
	dpkg-deb -x "${deb}" "${x}"
done

loader="${x}/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
libpath="${x}/lib/x86_64-linux-gnu:${x}/usr/lib/x86_64-linux-gnu"
busybox="${x}/bin/busybox"
[[ -x "${loader}" && -x "${busybox}" ]] || die "libc6 or busybox-static did not unpack as expected"
# run runs a downloaded dynamically linked program with the downloaded libc.
run() { "${loader}" --library-path "${libpath}" "$@"; }

kver="$(basename "$(ls -d "${x}"/lib/modules/*/ | head -1)")"
[[ -f "${x}/boot/vmlinuz-${kver}" ]] || die "no kernel in ${kernel_pkg}"
cp "${x}/boot/vmlinuz-${kver}" "${img}/vmlinuz"
say "kernel ${kver} (${kernel_pkg})"

# links_busybox DIR makes every busybox applet a symlink under DIR.
links_busybox() {
	local dir="$1" applet
	mkdir -p "${dir}/bin" "${dir}/sbin" "${dir}/usr/bin" "${dir}/usr/sbin"
	cp "${busybox}" "${dir}/bin/busybox"
	while read -r applet; do
		[[ "${applet}" == bin/busybox ]] && continue
		ln -sf /bin/busybox "${dir}/${applet}"
	done < <("${busybox}" --list-full)
}

# --- the initramfs ---------------------------------------------------------
links_busybox "${initrd}"
mkdir -p "${initrd}/proc" "${initrd}/sys" "${initrd}/dev" "${initrd}/newroot" "${initrd}/modules"
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk failover net_failover virtio_net)
for m in "${modules[@]}"; do
	ko="$(find "${x}/lib/modules/${kver}/kernel" -name "${m}.ko" -o -name "${m}.ko.*" | head -1)"
	[[ -n "${ko}" ]] || die "module ${m} is not in ${kernel_pkg}"
	# busybox's insmod takes plain modules; newer kernels ship them compressed.
	case "${ko}" in
	*.ko) cp "${ko}" "${initrd}/modules/${m}.ko" ;;
	*.ko.xz) "${busybox}" xzcat "${ko}" >"${initrd}/modules/${m}.ko" ;;
	*.ko.gz) "${busybox}" zcat "${ko}" >"${initrd}/modules/${m}.ko" ;;
	*.ko.zst)
		command -v zstd >/dev/null 2>&1 || die "${ko} is zstd-compressed; apt-get install zstd"
		zstd -dq "${ko}" -o "${initrd}/modules/${m}.ko"
		;;
	*) die "module ${ko}: unknown compression" ;;
	esac
done
cat >"${initrd}/init" <<EOF
#!/bin/sh
# Loads the virtio drivers, mounts /dev/vda and hands over to its init.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in ${modules[*]}; do
	insmod /modules/\$m.ko || echo "initramfs: insmod \$m failed"
done
# The disk appears once virtio_blk has probed it, shortly after insmod.
n=0
while [ ! -b /dev/vda ] && [ \$n -lt 500 ]; do usleep 10000; n=\$((n+1)); done
if ! mount -t ext4 -o rw /dev/vda /newroot; then
	echo "initramfs: cannot mount /dev/vda; dropping to a shell"
	exec sh
fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
EOF
chmod 755 "${initrd}/init"
(cd "${initrd}" && find . | "${busybox}" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -9 >"${img}/initrd.img"

# --- the root filesystem ---------------------------------------------------
links_busybox "${root}"
mkdir -p "${root}"/{proc,sys,dev,run,tmp,root/.ssh,etc/dropbear,var/log,usr/lib/openssh}
chmod 1777 "${root}/tmp"
chmod 700 "${root}/root" "${root}/root/.ssh"
cp "${x}/usr/sbin/dropbear" "${root}/usr/sbin/dropbear"
cp "${x}/usr/bin/scp" "${root}/usr/bin/scp"
cp "${x}/usr/lib/openssh/sftp-server" "${root}/usr/lib/openssh/sftp-server"
# Debian's dropbear runs its sftp subsystem from here.
ln -s openssh/sftp-server "${root}/usr/lib/sftp-server"
# Every library those need, from the downloaded packages only.
mkdir -p "${root}/lib/x86_64-linux-gnu" "${root}/lib64"
cp "${loader}" "${root}/lib/x86_64-linux-gnu/"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "${root}/lib64/ld-linux-x86-64.so.2"
for bin in usr/sbin/dropbear usr/bin/scp usr/lib/openssh/sftp-server; do
	while read -r name arrow path _; do
		[[ "${arrow}" == "=>" ]] || continue
		case "${path}" in
		"${x}"/*) ;;
		*) die "${bin} needs ${name}, which resolved to ${path}: add its package to this script" ;;
		esac
		rel="${path#"${x}"/}"
		mkdir -p "${root}/$(dirname "${rel}")"
		cp -L "${path}" "${root}/${rel}"
	done < <(run --list "${root}/${bin}")
done
cat >"${root}/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
echo "root:x:0:" >"${root}/etc/group"
echo "/bin/sh" >"${root}/etc/shells"
echo "testvm" >"${root}/etc/hostname"
echo "127.0.0.1 localhost testvm" >"${root}/etc/hosts"

# Host keys of every type: dropbear 2022.83 aborts a connection whose client
# asks for a host key type it has none of (x/crypto/ssh offers RSA).
for t in ed25519 ecdsa rsa; do
	run "${x}/usr/bin/dropbearkey" -t "${t}" -f "${root}/etc/dropbear/dropbear_${t}_host_key" >/dev/null 2>&1 ||
		die "dropbearkey -t ${t} failed"
done
# root's key pair: the private half, in OpenSSH's format, is for the tests.
run "${x}/usr/bin/dropbearkey" -t ed25519 -f "${work}/client.dropbear" >/dev/null 2>&1
run "${x}/usr/bin/dropbearkey" -y -f "${work}/client.dropbear" | grep '^ssh-ed25519 ' |
	sed 's/ [^ ]*$/ packer-testvm/' >"${img}/id_ed25519.pub"
run "${x}/usr/bin/dropbearconvert" dropbear openssh "${work}/client.dropbear" "${img}/id_ed25519" >/dev/null 2>&1 ||
	die "dropbearconvert failed"
chmod 600 "${img}/id_ed25519"
cp "${img}/id_ed25519.pub" "${root}/root/.ssh/authorized_keys"
chmod 600 "${root}/root/.ssh/authorized_keys"

cat >"${root}/sbin/init.sh" <<'EOF'
#!/bin/sh
# PID 1 of the test machine. busybox's own init sleeps two seconds while it
# powers off; this one does no more than a clean power-off needs.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts
mount -t devpts -o gid=0,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname -F /etc/hostname
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2

# halt, poweroff and reboot signal PID 1 with USR1, USR2 and TERM: stop every
# process, make the root read-only (the ext4 journal is then clean), and go.
stop() {
	kill -TERM -1 2>/dev/null
	kill -KILL -1 2>/dev/null
	sync
	# Remounting fails while a killed process still holds a file for
	# writing; those go within moments.
	n=0
	until mount -o remount,ro / 2>/dev/null || [ $n -ge 300 ]; do usleep 10000; n=$((n+1)); done
	echo "testvm: $1"
	"$1" -f
}
trap 'stop halt' USR1
trap 'stop poweroff' USR2
trap 'stop reboot' TERM

echo "testvm: starting dropbear"
while :; do
	dropbear -F -E -p 22 -r /etc/dropbear/dropbear_ed25519_host_key \
		-r /etc/dropbear/dropbear_ecdsa_host_key -r /etc/dropbear/dropbear_rsa_host_key &
	# wait returns when dropbear exits or a trapped signal arrives (the trap
	# has then run); it also reaps orphans that PID 1 inherits.
	wait $!
done
EOF
chmod 755 "${root}/sbin/init.sh"
ln -sf /sbin/init.sh "${root}/sbin/init"

# 96 MiB: room for what provisioners write, quick to copy and convert.
mke2fs -q -t ext4 -L testvm -J size=4 -d "${root}" "${img}/rootfs.img" 96M >&2 ||
	die "mke2fs -d failed"
# mke2fs -d keeps the builder's uid; the machine wants root to own it all.
(cd "${root}" && find . -mindepth 1) | sed 's|^\./|/|' |
	awk '{printf "sif \"%s\" uid 0\nsif \"%s\" gid 0\n", $0, $0}' >"${work}/owners.debugfs"
debugfs -w -f "${work}/owners.debugfs" "${img}/rootfs.img" >/dev/null 2>&1 ||
	die "debugfs could not set the owners"
echo "console=ttyS0 root=/dev/vda rw quiet" >"${img}/cmdline"
(cd "${img}" && sha256sum rootfs.img vmlinuz initrd.img >SHA256SUMS)
touch "${img}/complete"

# Another run may have finished first; then its machine is kept.
if ! mv -T "${img}" "${out}" 2>/dev/null; then
	[[ -f "${out}/complete" ]] || die "cannot move the machine into ${out}"
fi
say "built ${out}"
# Machines an older version of this script built in the default place are
# of no more use; they take 110 MB each.
if [[ $# -eq 0 ]]; then
	for old in "${repo}"/.cache/testvm/*/; do
		[[ "${old%/}" != "${out}" && -f "${old}complete" ]] && rm -rf "${old}"
	done
fi
echo "${out}"
