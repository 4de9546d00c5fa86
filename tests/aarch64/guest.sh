#!/bin/sh
# tests/aarch64/guest.sh — the check-aarch64 harness, run inside the emulated
# arm64 machine by its init (/sbin/nx-init, see rootfs.sh).
#
# Owns: the order of the stages inside the guest.  The project tree is
# mounted read-only at /mnt/src; it is copied (without build/) to /root/tree
# on the throwaway root disk, so the harness's usual build/ layout exists.
# The cross-built artifacts (build/aarch64/bin, made on the host by
# tests/aarch64/aarch64.mk) are put where the harness expects them.  Rust
# build folders live on the kept work disk (/mnt/cache), so only the first
# run compiles nextest-sim and the fixtures.  Results and one log per stage
# go to /mnt/out; /mnt/out/status gets one line per stage, "PASS name" or
# "FAIL name", and "DONE" last.
# Stages (NX_AARCH64_STAGES, default all, run in this order): machine contract
# extras cargo extras-rust hardening e2e (the longest last).  NX_AARCH64_E2E: the e2e scenarios (default: a set covering
# every spawn path, reaper, kill and leak path; "all": every scenario).
# NX_AARCH64_SLOW_SCALE (default 10): the factor on the fixtures' slow-timeout periods.
set -u
OUT=/mnt/out
SRC=/mnt/src
T=/root/tree
BIN=$SRC/build/aarch64/bin
STATUS=$OUT/status
: >"$STATUS"
# Settings the host passes through the out share (the kernel command line
# is too short and too fragile for them).
[ -f "$OUT/settings" ] && . "$OUT/settings"
STAGES=${NX_AARCH64_STAGES:-machine contract extras cargo extras-rust hardening e2e}
SLOW_SCALE=${NX_AARCH64_SLOW_SCALE:-10}

say() { echo "guest: $*"; }
stage() {	# stage NAME CMD…: runs CMD, output to the console and $OUT/NAME.log
	st_name=$1
	shift
	case " $STAGES " in *" $st_name "*) ;; *) say "stage $st_name skipped (NX_AARCH64_STAGES)"; return 0 ;; esac
	say "=== stage $st_name ($(date -u +%T))"
	st_t0=$(date +%s)
	"$@" >"$OUT/$st_name.log" 2>&1
	st_rc=$?
	cat "$OUT/$st_name.log"
	st_t=$(( $(date +%s) - st_t0 ))
	if [ $st_rc = 0 ]; then
		echo "PASS $st_name ${st_t}s" >>"$STATUS"
		say "=== stage $st_name passed in ${st_t}s"
	else
		echo "FAIL $st_name ${st_t}s (exit $st_rc)" >>"$STATUS"
		say "=== stage $st_name FAILED (exit $st_rc) in ${st_t}s"
	fi
	return $st_rc
}

machine() {
	uname -a
	grep -m1 -i 'model name\|CPU part' /proc/cpuinfo || true
	echo "page size: $(getconf PAGESIZE)"
	echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>&1)"
	. /etc/os-release && echo "$PRETTY_NAME"
	bpftrace --version
	python3 --version
	rustc --version && cargo --version
	[ "$(uname -m)" = aarch64 ] || { echo "not an aarch64 machine"; return 1; }
	file_arch=$(od -An -tx1 -j18 -N2 "$T/build/libnextest_probes.so" | tr -d ' ')
	[ "$file_arch" = b700 ] || { echo "library is not an AArch64 ELF (e_machine $file_arch)"; return 1; }
	echo "library: AArch64 ELF, $(wc -c <"$T/build/libnextest_probes.so") bytes"
}

contract() {
	# The same live test as on x86_64 (tests/contract/live_probes.py): bpftrace
	# attached by path before fire-all starts, all ten probes once, every argument.
	python3 tests/contract/live_probes.py --verbose "$T/build/contract/fire-all"
}

extras() {
	# The extra provider: its unit tests, then run_extras.py's checks that need
	# no Rust (sigvirt) — the rest runs after the cargo stage.
	"$T/build/extras/test_xsym" && "$T/build/extras/test_taskregs" &&
		python3 tests/extras/run_extras.py --lib "$T/build/libnextest_probes.so" sigvirt
}

cargo_builds() {
	# nextest-sim and the Rust fixtures, built natively for aarch64 with
	# Debian's rustc-web; the target folders are kept on the work disk.
	for d in sim-target fixtures-target extras-ws-target; do
		mkdir -p "/mnt/cache/$d"
		ln -sfn "/mnt/cache/$d" "$T/build/$d"
	done
	t0=$(date +%s)
	cargo build --release --offline --manifest-path tests/sim/Cargo.toml --target-dir build/sim-target || return 1
	t1=$(date +%s)
	(cd tests/fixtures/workspace && CARGO_TARGET_DIR=$T/build/fixtures-target \
		cargo test --no-run --offline --workspace) || return 1
	t2=$(date +%s)
	echo "cargo: nextest-sim $((t1 - t0))s, fixtures $((t2 - t1))s (0-2s: cached)"
	file "$T/build/sim-target/release/nextest-sim" 2>/dev/null ||
		od -An -tx1 -j18 -N2 "$T/build/sim-target/release/nextest-sim"
}

extras_rust() {
	(cd tests/extras/ws && CARGO_TARGET_DIR=$T/build/extras-ws-target cargo test --no-run --offline) || return 1
	python3 tests/extras/run_extras.py --lib "$T/build/libnextest_probes.so" $NX_EXTRAS_TESTS
}

e2e() {
	# The stall monitor runs beside the scenarios; the diff lets a done event's times be
	# shorter than the truth by the guest stalls measured between the two sides' clock
	# starts and stops (tests/e2e/truthdiff.py, gap_stalls).
	"$T/build/aarch64/stalls" "$OUT/e2e-stalls.txt" >"$OUT/e2e-stalls.summary" &
	st_pid=$!
	NX_E2E_GUEST_STALLS=$OUT/e2e-stalls.txt FIXTURES_TARGET=$T/build/fixtures-target \
		python3 tests/e2e/run_e2e.py \
		--lib "$T/build/libnextest_probes.so" --sim "$T/build/sim-target/release/nextest-sim" \
		--out "$OUT/e2e" --batch 10 $E2E_VERSIONS $E2E_SCENARIOS
	rc=$?
	kill -TERM $st_pid && wait $st_pid
	cat "$OUT/e2e-stalls.summary"
	# Where each side's clock started and stopped (informational).
	python3 tests/aarch64/clockpoints.py "$OUT/e2e-stalls.txt" "$OUT"/e2e/*/
	return $rc
}

hardening() {
	# The hardening suites of tests/hardening (C fakerunner: posix_spawnp and
	# fork+execve spawn paths, concurrent fork, EMFILE, env -i, competing
	# preloads, AT_SECURE; every hook keeps errno), cross-built C programs.
	H=$T/build/hardening
	for d in traced untraced suid noengine; do
		mkdir -p "$H/$d"
		cp "$T/build/libnextest_probes.so" "$H/$d/libnextest_probes.so"
		[ "$d" = noengine ] || cp "$T/build/libnextest_probes_engine.so" "$H/$d/"
	done
	python3 tests/hardening/run_hardening.py --build "$H" --sim "$T/build/sim-target/release/nextest-sim" \
		--lib "$H/traced/libnextest_probes.so" errno || return 1
	# The simulator's cases run the whole fixture workspace twice each, with timeouts set
	# for native speed: too slow under emulation; the e2e stage runs the simulator.
	python3 tests/hardening/run_hardening.py --build "$H" --sim "$T/build/sim-target/release/nextest-sim" \
		--lib "$H/traced/libnextest_probes.so" --skip-simulator sabotage
}

# ---- setup ----
# bpftrace compiles and attaches its programs in 4-10 min here when the host is loaded:
# the harnesses wait for READY up to 15 min (their own limits are set for native speed).
NX_BPFTRACE_READY_TIMEOUT_S=900
export NX_BPFTRACE_READY_TIMEOUT_S
say "arm64 machine up after $(cut -d' ' -f1 /proc/uptime)s"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug
mkdir -p "$T"
(cd "$SRC" && tar --exclude=./build --exclude=./.git --exclude='./tests/*/target' -cf - .) | (cd "$T" && tar -xf -)
mkdir -p "$T/build/contract" "$T/build/extras"
cp "$SRC/build/cross-aarch64/libnextest_probes.so" "$T/build/libnextest_probes.so"
cp "$SRC/build/cross-aarch64/libnextest_probes_engine.so" "$T/build/libnextest_probes_engine.so"
cp "$BIN/fire-all" "$T/build/contract/fire-all"
cp "$BIN/test_xsym" "$BIN/test_taskregs" "$BIN/sigvirt" "$T/build/extras/"
mkdir -p "$T/build/aarch64" && cp "$BIN/stalls" "$T/build/aarch64/stalls"
cp -a "$BIN/hardening" "$T/build/hardening"
cd "$T" || exit 1
say "tree copied after $(cut -d' ' -f1 /proc/uptime)s"
# Longer slow-timeouts in this copy of the fixtures' configuration (tests/aarch64/slowscale.py
# says why); the same file serves the runs with and without the library and both sides of
# every truth.
python3 tests/aarch64/slowscale.py "$SLOW_SCALE" tests/fixtures/workspace/.config/nextest.toml
# run_extras.py: this machine's CPU accounting is the emulator's (see its rusage check).
NX_EXTRAS_EMULATED=tcg
export NX_EXTRAS_EMULATED

# Default: the current nextest version only; NX_AARCH64_E2E=all runs every
# scenario on every emulated version, as `make e2e` does.
E2E_VERSIONS="--emulate current"
if [ -z "${NX_AARCH64_E2E:-}" ]; then
	E2E_SCENARIOS="basic-j1 fail no-double-spawn fork-spawn sigchld-reaper retries terminate leak scripts"
elif [ "$NX_AARCH64_E2E" = all ]; then
	E2E_SCENARIOS=""
	E2E_VERSIONS=""
else
	E2E_SCENARIOS=$NX_AARCH64_E2E
fi
NX_EXTRAS_TESTS=${NX_EXTRAS_TESTS:-rusage rusage-standalone crash hung}

stage machine machine
stage contract contract
stage extras extras
if stage cargo cargo_builds; then
	stage extras-rust extras_rust
	stage hardening hardening
	stage e2e e2e
fi
echo DONE >>"$STATUS"
say "all stages ran after $(cut -d' ' -f1 /proc/uptime)s"
cat "$STATUS"
