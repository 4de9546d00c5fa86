#!/bin/sh
# tests/aarch64/run.sh — boots the emulated arm64 machine and runs the
# aarch64 checks in it (make check-aarch64).
#
# Owns: the qemu-system-aarch64 command line and the verdict.  The disk
# images come from rootfs.sh (cache folder, built once); the cross-built
# artifacts from aarch64.mk.  Shares: the project tree read-only (9p tag
# "src"), OUTDIR read-write (tag "out": the guest's logs and results); the
# kept work disk (Rust build folders) as a second virtio disk.  The root disk
# is used through a throwaway snapshot.  The machine runs
# tests/aarch64/guest.sh and powers itself off; this script then reads
# OUTDIR/status: every stage must say PASS, and DONE must be last.
# Usage: run.sh OUTDIR     Environment: NX_AARCH64_CACHE, NX_AARCH64_SMP
# (default: the host's CPU count, at most 4), NX_AARCH64_MEM (MiB, 4096),
# NX_AARCH64_TIMEOUT (seconds, 5400), NX_AARCH64_STAGES, NX_AARCH64_E2E,
# NX_AARCH64_SLOW_SCALE.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
OUT=${1:?usage: run.sh OUTDIR}

CACHE=$(sh "$HERE/rootfs.sh") || exit $?
[ "$(uname -m)" = aarch64 ] && [ -w /dev/kvm ] && accel=kvm || accel="tcg,thread=multi"
ncpu=$(nproc)
SMP=${NX_AARCH64_SMP:-$((ncpu > 4 ? 4 : ncpu))}
MEM=${NX_AARCH64_MEM:-4096}
TIMEOUT=${NX_AARCH64_TIMEOUT:-5400}

for f in "$TREE/build/cross-aarch64/libnextest_probes.so" "$TREE/build/cross-aarch64/libnextest_probes_engine.so" \
	"$TREE/build/aarch64/bin/fire-all"; do
	[ -f "$f" ] || { echo "check-aarch64: $f missing (run through make check-aarch64)" >&2; exit 2; }
done

rm -rf "$OUT"
mkdir -p "$OUT"
# Settings for the guest (read by guest.sh).
{
	for v in NX_AARCH64_STAGES NX_AARCH64_E2E NX_AARCH64_SLOW_SCALE NX_EXTRAS_TESTS; do
		eval "val=\${$v:-}"
		[ -n "$val" ] && printf "%s='%s'\n" "$v" "$val"
	done
} >"$OUT/settings"

echo "check-aarch64: booting arm64 Debian (qemu-system-aarch64, accel $accel, $SMP CPUs, $MEM MiB);" \
	"console log: $OUT/console.log"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$TIMEOUT" qemu-system-aarch64 \
	-machine virt -cpu cortex-a72 -accel "$accel" -smp "$SMP" -m "$MEM" \
	-nographic -no-reboot -monitor none -serial stdio -nic none \
	-kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.img" \
	-append "root=/dev/vda rw rootwait console=ttyAMA0 init=/sbin/nx-init panic=-1 quiet loglevel=4" \
	-drive "file=$CACHE/rootfs.img,format=raw,if=virtio,snapshot=on" \
	-drive "file=$CACHE/work.img,format=raw,if=virtio" \
	-virtfs "local,path=$TREE,mount_tag=src,security_model=none,readonly=on" \
	-virtfs "local,path=$OUT,mount_tag=out,security_model=none" \
	</dev/null 2>&1 | tee "$OUT/console.log.tmp" | sed -u 's/^/  arm64| /'
rc=$?
set -e
tr -d '\r' <"$OUT/console.log.tmp" >"$OUT/console.log" && rm -f "$OUT/console.log.tmp"
took=$(( $(date +%s) - start ))

echo "check-aarch64: machine stopped after ${took}s"
if [ ! -s "$OUT/status" ]; then
	echo "check-aarch64: FAIL: the guest wrote no results (qemu exit $rc; timeout ${TIMEOUT}s?); see $OUT/console.log"
	exit 1
fi
sed 's/^/check-aarch64: /' "$OUT/status"
if grep -q '^FAIL' "$OUT/status" || [ "$(tail -n1 "$OUT/status")" != DONE ]; then
	echo "check-aarch64: FAIL (logs: $OUT/*.log)"
	exit 1
fi
echo "check-aarch64: all stages passed on emulated arm64 in ${took}s"
