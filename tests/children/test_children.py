"""tests/children/test_children.py — the library stays out of nextest's children.

Owns: the end-to-end checks of docs/performance.md "What a test process sees".
Runs tests/children/ws (one test binary whose every process — the list-phase
children and each test — and a setup script write what they see of the preloads:
LD_PRELOAD, NEXTEST_LD_PRELOAD and the files in /proc/self/maps) under
LD_PRELOAD="A:LIB B" (a competing preload before and after ours, both separators)
and under LD_PRELOAD="LIB", through the simulator (posix_spawn path, fork + execvp
path, double spawn off) and real cargo-nextest when it is installed:

  * untraced, and with every runner-side probe attached (nextest's ten and the
    extra provider's attempt-rusage and hung-*): no process of the test tree
    maps the library, LD_PRELOAD and NEXTEST_LD_PRELOAD are "A B" (the others'
    bytes, order and separator kept), or absent when the library was the only
    entry;
  * crash probe attached (bpftrace on nextest_extra:crash, root): every process
    maps the library and sees LD_PRELOAD exactly as the runner had it;
  * the double-spawn stub (strace -f, simulator): never opens the library
    untraced or with the runner-side probes attached, opens it with the crash
    probe attached.

Usage: pytest tests/children --lib build/libnextest_probes.so --sim SIM --target DIR
       --other-a A.so --other-b B.so     (root, bpftrace, strace; make children-tests)
One test per runner, tracing state and LD_PRELOAD form, and per tracing state the
double-spawn stub; each test lists every check it made.
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from bpfsession import BpftraceSession
from pytest_helpers import need_option

HERE = os.path.dirname(os.path.abspath(__file__))
WS = os.path.join(HERE, "ws")
CRASH_PROGRAM = 'usdt:{lib}:nextest_extra:crash {{ printf("crash %d\\n", pid); }}\n'
# Every probe a runner fires (nextest's ten, the extra provider's runner side),
# none that works inside a test: the children must not keep the library.
RUNNER_PROBES = ["nextest:" + p for p in (
    "run-start", "run-done", "test-attempt-start", "test-attempt-done", "test-attempt-slow",
    "setup-script-start", "setup-script-slow", "setup-script-done", "stress-sub-run-start",
    "stress-sub-run-done")] + ["nextest_extra:" + p for p in (
    "attempt-rusage", "hung-stacks", "hung-thread", "hung-frame")]
PROBES_PROGRAM = "".join('usdt:{lib}:%s {{ @[probe] = count(); }}\n' % p for p in RUNNER_PROBES)


def read_reports(d):
    """[(file, {"argv":…, "env": {name: value}, "unset": set, "maps": set})]"""
    out = []
    for name in sorted(os.listdir(d)):
        rep = {"argv": "", "env": {}, "unset": set(), "maps": set()}
        for line in open(os.path.join(d, name), encoding="utf-8", errors="replace"):
            f = line.rstrip("\n").split("\t")
            if f[0] == "argv":
                rep["argv"] = f[1] if len(f) > 1 else ""
            elif f[0] == "env" and len(f) >= 2:
                rep["env"][f[1]] = f[2] if len(f) > 2 else ""
            elif f[0] == "unset":
                rep["unset"].add(f[1])
            elif f[0] == "map":
                rep["maps"].add(f[1])
        out.append((name, rep))
    return out


def kinds(reports):
    k = {"list": 0, "test": 0, "script": 0}
    for name, r in reports:
        if name.startswith("script-"):
            k["script"] += 1
        elif "--list" in r["argv"]:
            k["list"] += 1
        else:
            k["test"] += 1
    return k


def run_runner(runner, preload, env_extra, reports, target, sim, strace_out=None):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.update({"CARGO_TARGET_DIR": target, "CHILDREN_REPORT_DIR": reports,
                "LD_PRELOAD": preload})
    env.update(env_extra)
    if runner["kind"] == "real":
        cmd = ["cargo", "nextest", "run"]
    else:
        cmd = [sim, "run"] + runner["args"]
    if strace_out:
        cmd = ["strace", "-f", "-qq", "-e", "trace=execve,openat", "-o", strace_out] + cmd
    p = subprocess.run(cmd, cwd=WS, env=env, capture_output=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def stub_opens(strace_file, libname):
    """For each pid that exec'd a __double-spawn stub: did it open the library after that exec?"""
    stubs, opened = set(), set()
    for line in open(strace_file, errors="replace"):
        m = re.match(r"^(\d+)\s+(.*)$", line)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        if rest.startswith("execve(") and '"__double-spawn"' in rest:
            stubs.add(pid)
        elif pid in stubs and rest.startswith("openat(") and libname in rest and "= -1" not in rest:
            opened.add(pid)
    return stubs, opened



RUNNERS = [
    pytest.param({"name": "sim posix_spawn", "kind": "sim", "args": [], "env": {}}, id="sim-posix_spawn"),
    pytest.param({"name": "sim fork+execvp", "kind": "sim", "args": ["--spawn-path", "fork"], "env": {}},
                 id="sim-fork_execvp"),
    pytest.param({"name": "sim no double spawn", "kind": "sim", "args": [],
                  "env": {"NEXTEST_DOUBLE_SPAWN": "0"}}, id="sim-no_double_spawn"),
    pytest.param({"name": "cargo-nextest", "kind": "real", "args": [], "env": {}}, id="cargo-nextest",
                 marks=pytest.mark.skipif(shutil.which("cargo-nextest") is None,
                                          reason="cargo-nextest is not installed: the simulator cases only")),
]


@pytest.fixture(scope="module")
def paths(pytestconfig):
    o = {k: os.path.abspath(need_option(pytestconfig, k)) for k in ("lib", "sim", "target", "other_a", "other_b")}
    subprocess.run(["cargo", "test", "--no-run", "--offline", "-q"], cwd=WS, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=o["target"]))
    o["mixed"] = f"{o['other_a']}:{o['lib']} {o['other_b']}"
    o["stripped"] = f"{o['other_a']} {o['other_b']}"
    return o


@pytest.fixture(scope="module", params=["untraced", "probes", "traced"])
def tracing(request, paths):
    """(state, session): untraced (no session); "probes", bpftrace attached to every
    runner-side probe (the children must stay without the library); "traced", attached
    to nextest_extra:crash (the children keep it).  The session is started before and
    stopped after every test of that state."""
    if request.param == "untraced":
        yield "untraced", None
        return
    prog = CRASH_PROGRAM if request.param == "traced" else PROBES_PROGRAM
    tr = BpftraceSession(prog.format(lib=paths["lib"]))
    yield request.param, tr
    print(tr.stop())


WHAT = {"untraced": "untraced", "probes": "runner-side probes attached", "traced": "crash probe attached"}


def attached(checks, tracing):
    state, tr = tracing
    if tr is not None:
        checks.check(f"bpftrace attached ({WHAT[state]})", tr.ready, tr.why)
    return tr is None or tr.ready


@pytest.mark.parametrize("form", ["A:LIB_B", "LIB"])
@pytest.mark.parametrize("runner", RUNNERS)
def test_children(paths, tracing, runner, form, checks):
    if not attached(checks, tracing):
        return
    lib, oa, ob, mixed, stripped = (paths[k] for k in ("lib", "other_a", "other_b", "mixed", "stripped"))
    traced = tracing[0] == "traced"     # only the crash probes keep the library in a child
    what = WHAT[tracing[0]]
    preload = mixed if form == "A:LIB_B" else lib
    with tempfile.TemporaryDirectory() as d:
        rc, out = run_runner(runner, preload, runner["env"], d, paths["target"], paths["sim"])
        reps = read_reports(d)
    tag = f"{runner['name']}, {what}, LD_PRELOAD={'A:LIB B' if preload == mixed else 'LIB'}"
    k = kinds(reps)
    checks.check(f"{tag}: run passed, list children, 2 tests and the setup script reported",
                 rc == 0 and k["list"] >= 1 and k["test"] == 2 and k["script"] == 1,
                 f"exit {rc}, {k}: {out[-400:]!r}")
    for name, r in reps:
        maps_lib = lib in r["maps"]
        if traced:
            want_pre = preload
            ok = (maps_lib and r["env"].get("LD_PRELOAD") == want_pre
                  and r["env"].get("NEXTEST_LD_PRELOAD", want_pre) == want_pre)
        elif preload == mixed:
            ok = (not maps_lib and r["env"].get("LD_PRELOAD") == stripped
                  and ("NEXTEST_LD_PRELOAD" not in r["env"]
                       or r["env"]["NEXTEST_LD_PRELOAD"] == stripped))
        else:
            ok = (not maps_lib and "LD_PRELOAD" in r["unset"]
                  and "NEXTEST_LD_PRELOAD" in r["unset"])
        if preload == mixed:
            ok = ok and oa in r["maps"] and ob in r["maps"]
        checks.check(f"{tag}: {name} ({r['argv'][-40:]})", ok,
                     f"env {r['env']} unset {sorted(r['unset'])} maps lib={maps_lib} "
                     f"A={oa in r['maps']} B={ob in r['maps']}")
        # NEXTEST_LD_PRELOAD is nextest's copy of its own LD_PRELOAD:
        # every test and list child of every version has it.
        if not name.startswith("script-") and preload == mixed:
            checks.check(f"{tag}: {name}: NEXTEST_LD_PRELOAD present",
                         "NEXTEST_LD_PRELOAD" in r["env"], str(r["env"]))


def test_double_spawn_stub(paths, tracing, checks):
    """The double-spawn stub itself, seen from outside (strace -f, simulator)."""
    if not attached(checks, tracing):
        return
    what = WHAT[tracing[0]]
    with tempfile.TemporaryDirectory() as d:
        st = os.path.join(d, "strace.out")
        rep = os.path.join(d, "reports")
        os.mkdir(rep)
        rc, out = run_runner(RUNNERS[0].values[0], paths["mixed"], {}, rep, paths["target"], paths["sim"],
                             strace_out=st)
        stubs, opened = stub_opens(st, os.path.basename(paths["lib"]))
    if tracing[0] == "traced":
        checks.check(f"sim, {what}: every double-spawn stub opens the library",
                     rc == 0 and len(stubs) >= 2 and opened == stubs,
                     f"exit {rc}, {len(stubs)} stubs, {len(opened)} opened")
    else:
        checks.check(f"sim, {what}: no double-spawn stub opens the library",
                     rc == 0 and len(stubs) >= 2 and not opened,
                     f"exit {rc}, {len(stubs)} stubs, {len(opened)} opened")
