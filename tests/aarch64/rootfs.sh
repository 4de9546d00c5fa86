#!/bin/sh
# tests/aarch64/rootfs.sh — builds the emulated arm64 machine's disk, once.
#
# Owns: $NX_AARCH64_CACHE (default ~/.cache/libnextest_probes/aarch64), a
# folder outside the source tree:
#   rootfs/      debootstrap --arch=arm64 of the host's Debian suite (second
#                stage run under qemu-user-static through binfmt_misc)
#   vmlinuz      the kernel of Debian's linux-image-arm64, copied out of rootfs
#   initrd.img   its initramfs (MODULES=list: virtio-blk, ext4, 9p)
#   rootfs.img   rootfs/ as an ext4 image (mkfs.ext4 -d), booted read-write
#                through a throwaway snapshot, so every run starts clean
#   stamp        the package list the image was built from; a different list
#                rebuilds
# Usage: rootfs.sh            build what is missing, print the cache folder
#        rootfs.sh --check    only say which host pieces are missing (exit 2)
set -eu

CACHE=${NX_AARCH64_CACHE:-$HOME/.cache/libnextest_probes/aarch64}
SUITE=${NX_AARCH64_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
# The mirror apt uses on this host (deb822 or one-line sources).
mirror() {
	m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[/[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$m" ] || m=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\(http[^[:space:]]*\/debian\)[/]*[[:space:]].*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=${NX_AARCH64_MIRROR:-$(mirror)}
SECURITY=${NX_AARCH64_SECURITY_MIRROR:-$(echo "$MIRROR" | sed 's|/debian$|/debian-security|')}

# Guest packages: bpftrace and the library's runtime libraries; python3 runs
# the harness; the kernel (debootstrap, from the suite).  RUST_PKGS:
# rustc-web/cargo-web (Debian's newer Rust, the plain rustc 1.63 is too old
# for the simulator) build nextest-sim and the Rust fixtures inside the
# guest; they are installed by apt-get afterwards, from the suite and its
# security updates (the suite's own rustc-web is too old, below), so the
# large toolchain is unpacked under emulation once, not twice (libc6-dev:
# rustc-web needs the virtual libc-dev).
PKGS="linux-image-arm64 initramfs-tools kmod bpftrace libcjson1 libunwind8 python3 procps strace"
PKGS=$(echo $PKGS)
RUST_PKGS="rustc-web cargo-web libc6-dev"

missing=""
for tool in qemu-system-aarch64 debootstrap mkfs.ext4; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ "$(uname -m)" != aarch64 ]; then
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
		[ -e /proc/sys/fs/binfmt_misc/register ] ||
			mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
		update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
	fi
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
		missing="$missing binfmt_misc:qemu-aarch64(qemu-user-static,binfmt-support)"
fi
if [ -n "$missing" ]; then
	echo "check-aarch64: missing virtualisation pieces:$missing" >&2
	echo "check-aarch64: on Debian: apt-get install qemu-system-arm qemu-user-static binfmt-support debootstrap e2fsprogs" >&2
	exit 2
fi
[ "${1:-}" = --check ] && exit 0

mkdir -p "$CACHE"
want="$SUITE $MIRROR $PKGS + $RUST_PKGS"
# Bumped whenever what is written into the images below changes.
IMAGE_REV=3
if [ -f "$CACHE/rootfs.img" ] && [ -f "$CACHE/vmlinuz" ] && [ -f "$CACHE/initrd.img" ] &&
	[ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$want image-$IMAGE_REV" ]; then
	echo "$CACHE"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "check-aarch64: building the arm64 root filesystem needs root (debootstrap)" >&2; exit 2; }

log="$CACHE/build.log"
R="$CACHE/rootfs"
# A small initramfs (MODULES=list plus a hook of ours): only what finds and
# mounts the root disk and the 9p shares.  Written before the second stage,
# so the kernel package's own initramfs is already the small one (with
# MODULES=most, building it under qemu-user takes a quarter of an hour).
initramfs_setup() {
	mkdir -p "$R/etc/initramfs-tools/conf.d" "$R/etc/initramfs-tools/hooks"
	echo MODULES=list >"$R/etc/initramfs-tools/conf.d/nx-aarch64.conf"
	cat >"$R/etc/initramfs-tools/hooks/nx-aarch64" <<'HOOK'
#!/bin/sh
# The check-aarch64 machine's disk and shares (tests/aarch64/rootfs.sh).
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk ext4 9pnet_virtio 9p
HOOK
	chmod 755 "$R/etc/initramfs-tools/hooks/nx-aarch64"
}
rm -f "$CACHE/rootfs.img" "$CACHE/stamp"
# debootstrap is the long part (minutes): its result is kept apart
# (rootfs.done) so that a change below it does not download again.
if [ "$(cat "$CACHE/rootfs.done" 2>/dev/null)" != "$want" ]; then
	echo "check-aarch64: building the arm64 $SUITE root filesystem in $CACHE (once; log: $log)" >&2
	rm -rf "$R" "$CACHE/rootfs.done"
	{
		debootstrap --arch=arm64 --variant=minbase --foreign \
			--include="$(echo "$PKGS" | tr ' ' ,)" "$SUITE" "$R" "$MIRROR" &&
		initramfs_setup &&
		# The second stage runs arm64 binaries: qemu-aarch64-static via binfmt_misc.
		chroot "$R" /debootstrap/debootstrap --second-stage
	} >"$log" 2>&1 || { echo "check-aarch64: debootstrap failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
	echo "$want" >"$CACHE/rootfs.done"
fi
# The Rust toolchain, from the suite and its security updates: bookworm's own
# rustc-web (1.85) lacks std::io::pipe (1.87), which nextest-sim uses;
# bookworm-security has a newer one, which apt-get picks.
if [ "$(cat "$CACHE/rootfs.updates" 2>/dev/null)" != "$want $SECURITY" ]; then
	echo "check-aarch64: installing $RUST_PKGS from $SUITE + $SUITE-security (once; log: $log)" >&2
	printf 'deb %s %s main\ndeb %s %s-security main\n' "$MIRROR" "$SUITE" "$SECURITY" "$SUITE" \
		>"$R/etc/apt/sources.list"
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	mount -t proc proc "$R/proc"
	rc=0
	{
		chroot "$R" apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive chroot "$R" apt-get install -y -q --no-install-recommends \
			$RUST_PKGS &&
		chroot "$R" apt-get clean
	} >>"$log" 2>&1 || rc=$?
	umount "$R/proc"
	[ $rc = 0 ] || { echo "check-aarch64: apt-get in the arm64 root failed, see $log" >&2; exit 1; }
	echo "$want $SECURITY" >"$CACHE/rootfs.updates"
fi
echo "check-aarch64: preparing the disk images in $CACHE" >&2

echo "nx-aarch64" >"$R/etc/hostname"
printf 'proc /proc proc defaults 0 0\n' >"$R/etc/fstab"
# Debian's newer Rust under the names the harness calls (cargo, rustc).
for t in cargo rustc rustdoc; do
	src=$(ls "$R"/usr/lib/rust-web/bin/$t "$R"/usr/bin/$t-web 2>/dev/null | head -n1)
	[ -n "$src" ] && ln -sf "${src#"$R"}" "$R/usr/local/bin/$t"
done
# The machine's init: no systemd, no getty (the boot stays short).  It mounts
# the shared folders and runs the harness from the read-only project tree
# (tests/aarch64/guest.sh), which writes its results to the "out" share, then
# powers the machine off.
cat >"$R/sbin/nx-init" <<'INIT'
#!/bin/sh
# /sbin/nx-init — init of the check-aarch64 machine (from tests/aarch64/rootfs.sh).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
export PATH HOME
# The initramfs has moved /proc, /sys and /dev here already.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
hostname nx-aarch64
modprobe 9pnet_virtio
modprobe 9p
mkdir -p /mnt/src /mnt/out /mnt/cache
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 src /mnt/src
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /mnt/out
[ -b /dev/vdb ] && mount /dev/vdb /mnt/cache
# A copy: the shared file may be edited on the host while this runs.
if cp /mnt/src/tests/aarch64/guest.sh /run/guest.sh 2>/dev/null; then
	sh /run/guest.sh </dev/null
else
	echo "nx-init: /mnt/src/tests/aarch64/guest.sh not found (project tree not shared?)"
fi
sync
umount /mnt/cache /mnt/out 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 30
INIT
chmod 755 "$R/sbin/nx-init"
initramfs_setup
mount -t proc proc "$R/proc"
chroot "$R" update-initramfs -u -k all >>"$log" 2>&1 || { umount "$R/proc"; echo "check-aarch64: update-initramfs failed, see $log" >&2; exit 1; }
umount "$R/proc"
kver=$(ls "$R/lib/modules" | sort -V | tail -n1)
cp "$R/boot/vmlinuz-$kver" "$CACHE/vmlinuz"
cp "$R/boot/initrd.img-$kver" "$CACHE/initrd.img"
rm -rf "$R/var/cache/apt/archives/"*.deb

# The disk: the tree plus 1 GiB of room for builds inside the guest.
size_mb=$(( $(du -sm "$R" | cut -f1) + 1024 ))
mkfs.ext4 -q -F -L nxroot -d "$R" "$CACHE/rootfs.img" "${size_mb}M" >>"$log" 2>&1
# A second disk, kept between runs (and image rebuilds): the guest's Rust
# build folders.
[ -f "$CACHE/work.img" ] || mkfs.ext4 -q -F -L nxwork "$CACHE/work.img" 8G >>"$log" 2>&1
echo "$want image-$IMAGE_REV" >"$CACHE/stamp"
echo "$CACHE"
