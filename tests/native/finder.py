#!/usr/bin/env python3
"""finder: finds a real cargo-nextest whose own USDT probes can be the truth.

Owns: choosing the native-probe runner.  The `cargo-nextest` on PATH is used when
`bpftrace -l "usdt:<it>:nextest:*"` lists all ten probes.  Otherwise the same version is
built with the `usdt` feature (its default) by tests/versions/build-release.sh into the
release cache outside the source tree (NEXTEST_PROBES_CACHE, default
~/.cache/libnextest_probes), which a later run reuses, and that build is checked the same
way.  Usage: finder.py  → prints the binary and why it was chosen, or `skipped: …`;
exit 0 found, 1 not found.
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

from events import PROBES  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "tests", "lib"))
from elfprobes import bpftrace_list  # noqa: E402

BUILD_RELEASE = os.path.join(REPO, "tests", "versions", "build-release.sh")


class Runner:
    def __init__(self, path, version, why):
        self.path, self.version, self.why = path, version, why

    def bin_dir(self):
        return os.path.dirname(self.path)

    def __str__(self):
        return f"cargo-nextest {self.version} at {self.path} ({self.why})"


def native_probes(path):
    """The nextest probes `bpftrace -l` lists for the ELF at `path` (a set of names)."""
    try:
        return set(bpftrace_list(path, "nextest")[1])
    except (OSError, subprocess.TimeoutExpired):
        return set()


def version_of(path):
    p = subprocess.run([path, "nextest", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    m = re.search(rb"cargo-nextest ([0-9]+\.[0-9]+\.[0-9]+)", p.stdout)
    return m.group(1).decode() if m else None


def find(build=True, log=print):
    """A Runner, or (None, reason)."""
    if shutil.which("bpftrace") is None:
        return None, "bpftrace is not installed"
    if os.geteuid() != 0:
        return None, "not root (bpftrace attaches uprobes; CI runs as root)"
    onpath = shutil.which("cargo-nextest")
    if not onpath:
        return None, "no cargo-nextest on PATH"
    path = os.path.realpath(onpath)
    version = version_of(path)
    if not version:
        return None, f"{path} does not say its version"
    have = native_probes(path)
    if have >= set(PROBES):
        return Runner(path, version, "the one on PATH: bpftrace -l lists its ten nextest probes"), None
    log(f"finder: {path} ({version}) lists {len(have)} of the ten nextest probes "
        "(built without the usdt feature?); building the same version with it")
    if not build:
        return None, f"{path} has no native probes and building is off"
    p = subprocess.run(["sh", BUILD_RELEASE, version], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    built = p.stdout.decode().strip().splitlines()[-1:] if p.returncode == 0 else []
    if not built or not os.path.isfile(built[0]):
        return None, (f"{path} has no native probes and building {version} failed: "
                      + p.stderr.decode(errors="replace").strip()[-400:])
    have = native_probes(built[0])
    if have >= set(PROBES):
        return Runner(built[0], version, f"built from crates.io into the release cache, because "
                                         f"{path} has no native probes"), None
    return None, f"neither {path} nor the cache build {built[0]} has the ten native probes"


def main():
    runner, why = find()
    if runner is None:
        print(f"skipped: {why}")
        return 1
    print(f"native-probe runner: {runner}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
