#!/bin/sh
# tests/versions/build-release.sh — builds one real cargo-nextest release into
# the release cache (outside the source tree), reused by later runs.
#
#   build-release.sh VERSION [nousdt]
#
# Prints the path of the built cargo-nextest.  Tries `cargo install --locked`
# first; when an old release fails with its own lock file, tries again
# without it and records which way worked in <root>/how.
set -eu
ver=$1
flavour=${2:-default}
cache=${NEXTEST_PROBES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libnextest_probes}
name=$ver
feat=""
if [ "$flavour" = nousdt ]; then
	name=$ver-nousdt
	feat="--no-default-features"
fi
root=$cache/nextest/$name
bin=$root/bin/cargo-nextest
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$root"
# One build of a release at a time: a second caller (the matrix reaching a release that a
# separate, niced build is still building) waits for the first, then finds the binary.
if [ -z "${BUILD_RELEASE_LOCKED:-}" ] && command -v flock >/dev/null; then
	BUILD_RELEASE_LOCKED=1 exec flock "$root/.lock" sh "$0" "$@"
fi
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
log=$root/build.log
export CARGO_TARGET_DIR=$cache/target
# shellcheck disable=SC2086
if cargo install --locked $feat cargo-nextest --version "=$ver" --root "$root" >"$log" 2>&1; then
	echo "cargo install --locked $feat" > "$root/how"
# shellcheck disable=SC2086
elif cargo install $feat cargo-nextest --version "=$ver" --root "$root" >>"$log" 2>&1; then
	echo "cargo install (without --locked: the release's lock file no longer builds) $feat" > "$root/how"
else
	echo "build-release: cargo-nextest $ver ($flavour) did not build; see $log" >&2
	exit 1
fi
echo "$bin"
