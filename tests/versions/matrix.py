#!/usr/bin/env python3
"""matrix.py: every e2e scenario through each real cargo-nextest release (make check-versions).

Owns: the loop over tests/versions/releases.txt.  For each release it makes sure the build
is in the release cache (build-release.sh, a no-op when it is), then runs
tests/e2e/run_e2e.py in real mode on that binary (--nextest: its directory first on PATH,
so `cargo nextest` is that release) with --junit.  The truth per release:
  - native probes (x86_64 builds >= 0.9.108 with the usdt feature): nextest's own probes,
    captured in the same bpftrace session, every field compared;
  - in every run, nextest's own records of the same run, field by field wherever they
    have the field: its JUnit report (junit.py), its libtest-json stream (libtest.py) and,
    from 0.9.131, its run recording (recording.py); records.py holds what they share (the
    one duration tolerance, the measured-preemption allowance);
and in every run the order rules, the unchanged-output check (slowlines.py: SLOW lines each
run's own report accounts for; leaklines.py: a LEAK line nextest's leak timer and the
measured CPU wait account for; suitesplit.py: a libtest-json-plus suite split each run's own
stream accounts for) and the library's detected version must be the release's.
Usage: matrix.py --lib LIB --out DIR --releases FILE [--only NAME…] [-- RUN_E2E_ARGS…]
(NAME as the release cache names it: 0.9.72, 0.9.143-nousdt; RUN_E2E_ARGS may name scenarios.)
Prints each release's summary and `N releases passed, N failed`.
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_E2E = os.path.join(HERE, "..", "e2e", "run_e2e.py")
BUILD = os.path.join(HERE, "build-release.sh")


def releases(path):
    out = []
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                out.append((words[0], words[1] if len(words) > 1 else "default"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--releases", required=True)
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="only this release of the file (0.9.72, 0.9.143-nousdt); repeatable")
    ap.add_argument("rest", nargs="*", help="passed on to run_e2e.py (after --)")
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)   # the runs' cwd is the fixture workspace
    t_all = time.monotonic()
    results = []
    chosen = releases(a.releases)
    names = {ver + ("-nousdt" if flavour == "nousdt" else "") for ver, flavour in chosen}
    for n in a.only or []:
        if n not in names:
            ap.error(f"--only {n}: not in {a.releases} ({', '.join(sorted(names))})")
    for ver, flavour in chosen:
        name = ver + ("-nousdt" if flavour == "nousdt" else "")
        if a.only and name not in a.only:
            continue
        t0 = time.monotonic()
        b = subprocess.run(["sh", BUILD, ver] + ([flavour] if flavour != "default" else []),
                           stdout=subprocess.PIPE, text=True)
        if b.returncode != 0:
            print(f"FAIL release {name}: did not build (see its build.log in the release cache)",
                  flush=True)
            results.append((name, False, "did not build", 0))
            continue
        exe = b.stdout.strip().splitlines()[-1]
        built = time.monotonic() - t0   # a build, or the wait for one under way: not the run's
        t0 = time.monotonic()
        how = open(os.path.join(os.path.dirname(os.path.dirname(exe)), "how")).read().strip() \
            if os.path.exists(os.path.join(os.path.dirname(os.path.dirname(exe)), "how")) else "?"
        print(f"== release {name}: {exe} (built with: {how}"
              + (f"; {built:.0f}s to build or wait for its build" if built >= 1 else "") + ")", flush=True)
        log = os.path.join(a.out, name + ".log")
        os.makedirs(a.out, exist_ok=True)
        cmd = [sys.executable, RUN_E2E, "--lib", a.lib, "--out", os.path.join(a.out, name),
               "--nextest", exe, "--junit", *a.rest]
        # A private CARGO_HOME (the fixtures have no registry dependencies): other cargo
        # processes on the machine (a release being built) hold the shared package-cache
        # lock, and cargo's "Blocking waiting for file lock" line would then appear in one
        # of the two runs only.
        env = dict(os.environ, CARGO_HOME=os.path.join(a.out, "cargo-home"))
        with open(log, "w") as f:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env=env)
            for line in p.stdout:
                f.write(line)
                if line.startswith(("PASS", "FAIL", "    ", "run_e2e:")) or re.match(r"\d+ passed", line):
                    print("  " + line, end="", flush=True)
            p.wait()
        took = time.monotonic() - t0
        text = open(log).read()
        detected = sorted(set(re.findall(r"nextest (\S+) detected", text)))
        ok = p.returncode == 0
        results.append((name, ok, f"detected {', '.join(detected) or 'nothing'}", took))
        print(f"{'PASS' if ok else 'FAIL'} release {name}  ({took:.0f}s; detected "
              f"{', '.join(detected) or 'nothing'}; log {log})", flush=True)
    good = sum(1 for r in results if r[1])
    print(f"{good} releases passed, {len(results) - good} failed "
          f"({time.monotonic() - t_all:.0f}s in all, {sum(r[3] for r in results):.0f}s running)")
    return 0 if results and good == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
