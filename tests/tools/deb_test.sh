#!/usr/bin/env bash
# deb_test.sh — the .deb of `make deb`, installed with dpkg into a scratch root, run from there.
#
# Owns: tools-deb-test.  Checks the package's metadata (Depends, Recommends, copyright),
# installs it with `dpkg --root` into an empty directory (dependencies are the host's:
# --force-depends), and runs the installed nextest-probes from that root: --version, lib,
# list (both providers, read from the installed library's notes), scripts, a trace by script
# name, the man page and the bash completion.  Prints `N passed, N failed`.
#
# Usage: deb_test.sh DEB
set -u
deb=$(readlink -f -- "$1")
pass=0 fail=0
ok() { printf 'ok     deb: %s\n' "$1"; pass=$((pass + 1)); }
bad() { printf 'FAIL   deb: %s: %s\n' "$1" "$2"; fail=$((fail + 1)); }
t() { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi; }

R=$(mktemp -d "${TMPDIR:-/tmp}/deb-root.XXXXXX")
trap 'rm -rf -- "$R"' EXIT
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: > "$R/var/lib/dpkg/status"

info=$(dpkg-deb -f "$deb" Package Depends Recommends)
t "control: Depends libcjson1, libunwind8; Recommends bpftrace" \
    sh -c 'printf "%s\n" "$1" | grep -q "^Depends: .*libcjson1.*libunwind8" && printf "%s\n" "$1" | grep -qx "Recommends: bpftrace"' _ "$info"
t "dpkg --root installs it" dpkg --root="$R" --force-depends --force-script-chrootless --log=/dev/null -i "$deb"
t "dpkg knows it" sh -c 'dpkg --root="$1" -s nextest-probes | grep -qx "Status: install ok installed"' _ "$R"
np=$R/usr/bin/nextest-probes
t "copyright names MIT or Apache-2.0" grep -qx "License: MIT or Apache-2.0" "$R/usr/share/doc/nextest-probes/copyright"
t "--version" sh -c '"$1" --version | grep -qx "nextest-probes [0-9.]*"' _ "$np"
lib=$(env -u NEXTEST_PROBES_LIB -u NEXTEST_PROBES_SHARE "$np" lib 2>&1)
case $lib in "$R"/usr/lib/*/libnextest_probes.so) ok "lib: the installed library ($lib)" ;; *) bad "lib" "$lib" ;; esac
eng=${lib%/*}/libnextest_probes_engine.so
t "engine: next to the library, exporting only its entry" \
    sh -c '[ -f "$1" ] && [ "$(nm -D --defined-only "$1" | awk "{print \$3}")" = nx_engine_entry ]' _ "$eng"
list=$(cd / && env -u NEXTEST_PROBES_LIB -u NEXTEST_PROBES_SHARE "$np" list 2>&1)
n10=$(printf '%s\n' "$list" | grep -c "^usdt:$lib:nextest:")
n6=$(printf '%s\n' "$list" | grep -c "^usdt:$lib:nextest_extra:")
if [ "$n10" = 10 ] && [ "$n6" = 6 ]; then ok "list: 10 nextest + 6 nextest_extra probes"; else bad "list" "$list"; fi
scripts=$(env -u NEXTEST_PROBES_SHARE "$np" scripts 2>&1)
if printf '%s\n' "$scripts" | grep -qx slowest && printf '%s\n' "$scripts" | grep -qx extras/crash-report; then
    ok "scripts: installed ones listed"; else bad "scripts" "$scripts"; fi
if [ "$(id -u)" = 0 ] && command -v bpftrace >/dev/null; then
    out=$(cd / && env -u NEXTEST_PROBES_LIB -u NEXTEST_PROBES_SHARE "$np" trace slowest -- true 2>&1)
    case $out in *"slowest tests"*"0 events"*|*"0 events"*"slowest tests"*) ok "trace slowest from the installed share dir" ;;
                 *) bad "trace slowest" "$out" ;; esac
else
    bad "trace slowest" "needs root and bpftrace"
fi
t "man page renders" sh -c 'MANWIDTH=80 man -l "$1" 2>/dev/null | grep -q "trace a cargo-nextest run"' _ "$R/usr/share/man/man1/nextest-probes.1.gz"
t "bash completion completes subcommands" bash -c '. "$1"; COMP_WORDS=(nextest-probes tr); COMP_CWORD=1; _nextest_probes; [ "${COMPREPLY[*]}" = trace ]' _ "$R/usr/share/bash-completion/completions/nextest-probes"
t "dpkg --root removes it" dpkg --root="$R" --force-script-chrootless --log=/dev/null -r nextest-probes
t "nothing left but directories" sh -c '[ -z "$(find "$1/usr" -type f)" ]' _ "$R"
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" = 0 ]
