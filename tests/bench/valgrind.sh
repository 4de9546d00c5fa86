#!/bin/sh
# valgrind.sh — a valgrind that can run real cargo-nextest, for `make bench`.
#
# Owns: finding or fetching it.  Real nextest's runtime calls pidfd_open, which
# valgrind knows from 3.20 on; Debian 12 ships 3.19.  When the installed one is
# older, this unpacks Debian's newer valgrind package (the release named by
# NX_VALGRIND_SUITE, default trixie; the package's tools are static programs and
# its launcher needs glibc 2.34) into the cache, NX_VALGRIND_CACHE (default
# ~/.cache/libnextest_probes/valgrind), once.  Prints one line,
# "VALGRIND_LIB LAUNCHER": run `VALGRIND_LIB=<first> <second> --tool=...`.
set -eu
need_major=3 need_minor=20
if command -v valgrind >/dev/null 2>&1; then
	v=$(valgrind --version | sed 's/^valgrind-//')
	maj=${v%%.*} rest=${v#*.} min=${rest%%.*}
	if [ "$maj" -gt $need_major ] || { [ "$maj" -eq $need_major ] && [ "$min" -ge $need_minor ]; }; then
		lib=$(dirname "$(readlink -f "$(command -v valgrind)")")/../libexec/valgrind
		[ -d "$lib" ] || lib=/usr/libexec/valgrind
		echo "$lib $(command -v valgrind)"
		exit 0
	fi
fi
cache=${NX_VALGRIND_CACHE:-$HOME/.cache/libnextest_probes/valgrind}
suite=${NX_VALGRIND_SUITE:-trixie}
mirror=${NX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ ! -x "$cache/usr/bin/valgrind.bin" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	curl -fsS "$mirror/dists/$suite/main/binary-amd64/Packages.xz" -o "$tmp/Packages.xz"
	file=$(xz -dc "$tmp/Packages.xz" | awk '/^Package: valgrind$/ { p = 1 } p && /^Filename:/ { print $2; exit }')
	[ -n "$file" ] || { echo "valgrind.sh: no valgrind package in $suite" >&2; exit 1; }
	curl -fsS "$mirror/$file" -o "$tmp/valgrind.deb"
	rm -rf "$cache.new"
	dpkg -x "$tmp/valgrind.deb" "$cache.new"
	rm -rf "$cache"
	mv "$cache.new" "$cache"
fi
echo "$cache/usr/libexec/valgrind $cache/usr/bin/valgrind.bin"
