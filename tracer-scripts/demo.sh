#!/usr/bin/env bash
# demo.sh — the `make demo` walkthrough: the bundled example workspace
# (tests/fixtures/workspace) run with libnextest_probes.so preloaded and traced.
#
# Owns: choosing the runner (real `cargo nextest` when it is installed, else the
# simulator nextest-sim, said loudly), and the three steps: list the probes, show every
# probe firing live (events.bt), write a Perfetto trace live (nextest-probes perfetto).
# Expects `make` to have built build/libnextest_probes.so, the simulator and the fixtures
# (the Makefile's demo target does).  Needs root for bpftrace; without it, only runs the
# workspace with the library preloaded.  Output: build/demo/trace.json (DEMO_OUT=dir).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
np="$here/nextest-probes"
ws="$root/tests/fixtures/workspace"
out=${DEMO_OUT:-$root/build/demo}
sim="$root/build/sim-target/release/nextest-sim"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/build/fixtures-target}
export NEXTEST_PROBES_LIB=${NEXTEST_PROBES_LIB:-$root/build/libnextest_probes.so}

# colours: bold headings on a terminal, plain text otherwise or when NO_COLOR is set
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s==> %s%s\n' "${bold:-}" "$*" "${plain:-}"; }
# end colours
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -f "$NEXTEST_PROBES_LIB" ] || die "$NEXTEST_PROBES_LIB is missing: run 'make' first"
mkdir -p "$out"

if command -v cargo-nextest >/dev/null 2>&1 && cargo nextest --version >/dev/null 2>&1; then
    runner=(cargo nextest run)
    label="REAL cargo-nextest: $(cargo nextest --version 2>/dev/null | head -n1)"
else
    [ -x "$sim" ] || die "cargo-nextest is not installed and the simulator $sim is not built: run 'make sim'"
    export PATH="$(dirname "$sim"):$PATH"
    runner=(nextest-sim run)
    label="SIMULATOR nextest-sim (cargo-nextest is not installed; the simulator spawns the same processes and makes the same libc calls as nextest 0.9.143)"
fi

printf '\n################################################################\n'
printf '# libnextest_probes demo\n# runner: %s\n# library: %s\n# workspace: %s\n' \
    "$label" "$NEXTEST_PROBES_LIB" "$ws"
printf '################################################################\n'

cd "$ws" || die "no workspace at $ws"

say "1. The probes the library provides (nextest-probes list)"
"$np" list || die "nextest-probes list failed"

if [ "$(id -u)" != 0 ]; then
    say "Not root: bpftrace cannot attach.  Running the workspace with the library preloaded only:"
    "$np" run -- "${runner[@]}"
    printf '\nRe-run as root (sudo make demo) to see the probes fire.\n'
    exit 0
fi

say "2. Every probe firing, live, while the default run goes (tracer-scripts/events.bt)"
printf '   $ nextest-probes trace tracer-scripts/events.bt -- %s\n' "${runner[*]}"
"$np" trace "$here/events.bt" -- "${runner[@]}"
printf '   (runner exit status: %s)\n' "$?"

say "3. A live Perfetto trace of a run with retries (flaky tests, one that always fails)"
printf '   $ nextest-probes perfetto -o %s/trace.json --live -- %s -P retries --run-ignored only retry_\n' \
    "$out" "${runner[*]}"
"$np" perfetto -o "$out/trace.json" --events-out "$out/events.jsonl" --live -- \
    "${runner[@]}" -P retries --run-ignored only retry_
status=$?
printf '   (runner exit status: %s — retry_always_fail fails on purpose)\n' "$status"

python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); print("   trace: %d events, valid JSON" % len(t["traceEvents"]))' \
    "$out/trace.json" || die "the trace is not valid JSON"

say "Done"
printf 'Perfetto trace: %s\n  open it at https://ui.perfetto.dev (Open trace file), or chrome://tracing\n' "$out/trace.json"
printf 'Event lines:    %s (docs/event-format.md)\n' "$out/events.jsonl"
printf 'More scripts:   %s/*.bt (slowest, flaky, failures, progress, concurrency, …)\n' "$here"
