#!/usr/bin/env python3
"""run_hardening.py — the sabotage and errno tests, under one bpftrace session each.

Owns: running each case twice — without libnextest_probes and with it — and
judging: exit code and stdout/stderr identical (after the case's own
transform: masking run ids/times for the simulator, dropping the allocator's
0x01 bytes), and the attempt events seen for that runner's pid (exactly one
start and one done per expected attempt id, or none where the library must be
inert).  Groups: `sabotage`, `errno`, `asan` (the ASan+UBSan build of the library)
or `tsan` (the TSan build preloaded into the TSan spawn storm); one bpftrace session per
group run.  Under pytest: test_hardening.py (one test per case; make hardening-*).
Without pytest (a guest with python3 only):
    run_hardening.py --build build/hardening --sim SIM --lib LIB GROUP
Needs root and bpftrace.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import mask  # noqa: E402  (the e2e harness's run-to-run noise masks)
import tracer  # noqa: E402
from checks import Checks  # noqa: E402

WORKSPACE = os.path.abspath(os.path.join(HERE, "..", "fixtures", "workspace"))
RUN_ID = "11111111-2222-3333-4444-555555555555"


def fake_ids(n):
    return {f"{RUN_ID}:fake-bin$t{i:05d}" for i in range(n)}


class Case:
    def __init__(self, name, cmd, env=None, plain_preload=(), shim_preload=None, expect=None,
                 transform=None, compare="exact", truth=False, extra_check=None, timeout=120,
                 plain_cmd=None, shim_env=None, cwd=None):
        self.name, self.cmd, self.env = name, cmd, env or {}
        self.plain_preload = list(plain_preload)
        # None: the plain preloads plus the traced library at the end
        self.shim_preload = shim_preload
        self.expect = expect            # set of ids, or 0 (no events), or None (not checked)
        self.transform = transform
        self.compare = compare          # exact | sorted-lines | rc-only
        self.truth = truth              # simulator: expected ids from its --truth file
        self.extra_check = extra_check
        self.timeout = timeout
        self.plain_cmd = plain_cmd
        self.shim_env = shim_env or {}
        self.cwd = cwd


def run(cmd, env, preload, timeout, cwd):
    e = dict(os.environ)
    e.pop("LD_PRELOAD", None)
    e.update(env)
    if preload:
        e["LD_PRELOAD"] = ":".join(preload)
    p = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return p.pid, None, out, err
    return p.pid, p.returncode, out, err


def truth_ids(path):
    ids = set()
    with open(path) as f:
        for line in f:
            ev = json.loads(line)
            if ev["probe"] == "test-attempt-start":
                ids.add(json.loads(ev["args"][0])["ok"] if ev["args"][0].startswith("{")
                        else ev["args"][0])
    return ids


IDMAX = 199     # bpftrace 0.17 reads at most BPFTRACE_STRLEN=200 bytes incl. the NUL


def clip(ids):
    return {i.encode()[:IDMAX].decode("utf-8", "replace") for i in ids}


def strip01(data):
    return data.replace(b"\x01", b"")


def cases_sabotage(b, sim, lib):
    fr, child = os.path.join(b, "fakerunner"), os.path.join(b, "fakechild")
    compete, ctor = os.path.join(b, "libcompete.so"), os.path.join(b, "libctorspawn.so")
    mw = os.path.join(b, "libmallocwrite.so")
    suid = os.path.join(b, "suid")
    compete_log = os.path.join(b, "compete.log")
    ctor_log = os.path.join(b, "ctorspawn.log")
    n = ["-n", "20", "-j", "4"]

    def compete_check(pid):
        lines = open(compete_log).read().splitlines() if os.path.exists(compete_log) else []
        mine = [l for l in lines if f"pid={pid} " in l]
        if not mine or "spawnp=20 " not in mine[0]:
            return f"competing preload did not see the runner's 20 spawns: {mine}"
        return None

    def ctor_check(pid):
        lines = open(ctor_log).read().splitlines() if os.path.exists(ctor_log) else []
        if len(lines) < 2 or any("rc=0 status=0 bytes=" not in l or l.endswith("bytes=0") for l in lines):
            return f"the constructor's early spawn failed: {lines}"
        return None

    sim_env = {"CARGO_TARGET_DIR": os.path.abspath(os.path.join(b, "..", "fixtures-target"))}
    simrun = [sim, "run", "--no-build"]
    cases = [
        Case("baseline: events for every attempt", [fr, *n], expect=fake_ids(20)),
        Case("kill switch: inert", [fr, *n], shim_env={"LIBNEXTEST_PROBES_DISABLE": "1"}, expect=0),
        Case("env -i runner", ["env", "-i", "LD_PRELOAD=@LIB@", fr, *n], expect=fake_ids(20),
             plain_cmd=["env", "-i", fr, *n], shim_preload=[]),
        Case("children without LD_PRELOAD (clean env)", [fr, *n, "--clean-env"], expect=fake_ids(20)),
        Case("competing preload before ours", [fr, *n], env={"COMPETE_LOG": compete_log},
             plain_preload=[compete], shim_preload=[compete, "@LIB@"], expect=fake_ids(20),
             extra_check=compete_check),
        Case("competing preload after ours", [fr, *n], env={"COMPETE_LOG": compete_log},
             plain_preload=[compete], shim_preload=["@LIB@", compete], expect=fake_ids(20),
             extra_check=compete_check),
        Case("constructor spawns before ours (ctor lib first)", [fr, *n, "--clean-env"],
             env={"CTORSPAWN_CHILD": child, "CTORSPAWN_LOG": ctor_log},
             plain_preload=[ctor], shim_preload=[ctor, "@LIB@"], expect=None, extra_check=ctor_check),
        Case("constructor spawns before ours (ctor lib last)", [fr, *n, "--clean-env"],
             env={"CTORSPAWN_CHILD": child, "CTORSPAWN_LOG": ctor_log},
             plain_preload=[ctor], shim_preload=["@LIB@", ctor], expect=None, extra_check=ctor_check),
        Case("allocator that calls write", [fr, *n], env={"MALLOCWRITE_VISIBLE": "1"},
             plain_preload=[mw], shim_preload=[mw, "@LIB@"], expect=fake_ids(20), transform=strip01),
        Case("EMFILE: 7 fds, both pipes fit", [fr, "-n", "20", "-j", "1", "--nofile", "7"],
             expect=fake_ids(20)),
        Case("EMFILE: 6 fds, every spawn fails", [fr, "-n", "20", "-j", "1", "--nofile", "6"], expect=0),
        Case("concurrent fork while spawning", [fr, "-n", "200", "-j", "8", "--fork-thread"],
             expect=fake_ids(200), timeout=120),
        Case("fork+exec spawn path, one thread (config first loaded inside a fork-slot collect)",
             [fr, "-n", "20", "-j", "1", "--fork"], expect=fake_ids(20), timeout=20),
        Case("fork+exec spawn path with a forking thread",
             [fr, "-n", "100", "-j", "4", "--fork", "--fork-thread"], expect=fake_ids(100),
             timeout=20),
        Case("AT_SECURE control: setuid runner run by root", [os.path.join(suid, "suidrunner"), *n],
             plain_cmd=[fr, *n, "-c", os.path.join(suid, "fakechild")], shim_preload=[],
             expect=fake_ids(20)),
        Case("AT_SECURE: setuid runner run by nobody is inert",
             ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
              os.path.join(suid, "suidrunner"), *n],
             plain_cmd=[fr, *n, "-c", os.path.join(suid, "fakechild")], shim_preload=[], expect=0),
        Case("simulator, untraced library: output unchanged", [*simrun], env=sim_env,
             shim_preload=[os.path.join(b, "untraced", "libnextest_probes.so")], compare="sorted-lines",
             cwd=WORKSPACE),
        Case("simulator with the writing allocator", [*simrun], env=dict(sim_env, MALLOCWRITE_VISIBLE="1"),
             plain_preload=[mw], shim_preload=[mw, "@LIB@"], transform=strip01, compare="sorted-lines",
             truth=True, cwd=WORKSPACE, timeout=30),
        Case("simulator under env -i", ["env", "-i", "PATH=/root/.cargo/bin:/usr/bin:/bin", "LD_PRELOAD=@LIB@",
                                       f"CARGO_TARGET_DIR={sim_env['CARGO_TARGET_DIR']}", *simrun],
             plain_cmd=["env", "-i", "PATH=/root/.cargo/bin:/usr/bin:/bin",
                        f"CARGO_TARGET_DIR={sim_env['CARGO_TARGET_DIR']}", *simrun],
             shim_preload=[], compare="sorted-lines", truth=True, cwd=WORKSPACE),
        Case("simulator with RLIMIT_NOFILE 24", ["prlimit", "--nofile=24:24", *simrun, "-j", "4"],
             env=sim_env, compare="sorted-lines", truth=True, cwd=WORKSPACE),
        Case("simulator, fork spawn path, -j 8", [*simrun, "-j", "8", "--spawn-path", "fork"],
             env=sim_env, compare="sorted-lines", truth=True, cwd=WORKSPACE, timeout=60),
    ]
    for p in (compete_log, ctor_log):
        if os.path.exists(p):
            os.unlink(p)
    return cases


def cases_errno(b, sim, lib):
    ec = os.path.join(b, "errno_check")
    rid = "77777777-2222-3333-4444-555555555555:errno-bin$errno::t"
    return [
        Case("errno: every hook, untraced library", [ec],
             shim_preload=[os.path.join(b, "untraced", "libnextest_probes.so")]),
        Case("errno: every hook, traced library (runner role active)", [ec], expect={rid}),
        Case("errno: every hook, kill switch", [ec], shim_env={"LIBNEXTEST_PROBES_DISABLE": "1"},
             expect=0),
    ]


def sanitizer_logs(prefix):
    def check(_pid):
        d = os.path.dirname(prefix)
        base = os.path.basename(prefix)
        logs = [f for f in os.listdir(d) if f.startswith(base + ".")] if os.path.isdir(d) else []
        if logs:
            with open(os.path.join(d, logs[0]), errors="replace") as f:
                head = f.read(1500)
            for f in logs:      # each report is blamed on one case only
                os.rename(os.path.join(d, f), os.path.join(d, "seen-" + f))
            return f"{len(logs)} sanitizer report(s), first {logs[0]}:\n{head}"
        return None
    return check


def cases_asan(b, sim, lib):
    """The ASan+UBSan library (traced) under simulator scenarios and the fakerunner."""
    asan_dir = os.path.dirname(lib)
    libasan = subprocess.run([os.environ.get("CC", "cc"), "-print-file-name=libasan.so"],
                             stdout=subprocess.PIPE, text=True).stdout.strip()
    logs = os.path.join(asan_dir, "logs", "report")
    shutil.rmtree(os.path.dirname(logs), ignore_errors=True)
    os.makedirs(os.path.dirname(logs))
    # Test binaries inherit LD_PRELOAD (libasan included): leave their signals
    # (fail_segv, fail_abort) to the kernel, as without ASan.
    native = "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:handle_sigill=0"
    san = {"ASAN_OPTIONS": f"detect_leaks=0:halt_on_error=1:{native}:log_path={logs}",
           "UBSAN_OPTIONS": f"print_stacktrace=1:halt_on_error=1:log_path={logs}"}
    senv = dict(CARGO_TARGET_DIR=os.path.abspath(os.path.join(b, "..", "fixtures-target")))
    simrun = [sim, "run", "--no-build"]
    fr = os.path.join(b, "fakerunner")
    check = sanitizer_logs(logs)
    mk = lambda name, args, env=None, **kw: Case(  # noqa: E731
        name, [*simrun, *args], env=dict(senv, **(env or {})), shim_env=san,
        shim_preload=[libasan, lib], compare="sorted-lines", truth=True, cwd=WORKSPACE,
        extra_check=check, **kw)
    return [
        mk("asan: default run", []),
        mk("asan: failures (fail_*, exit 100)", ["--run-ignored", "only", "--no-fail-fast", "fail_"]),
        mk("asan: retries", ["-P", "retries", "--run-ignored", "only", "retry_"]),
        mk("asan: stress 3 x basic", ["-P", "stress", "--stress-count", "3", "basic::"]),
        mk("asan: fork spawn path -j 8", ["-j", "8", "--spawn-path", "fork"], timeout=60),
        mk("asan: hostile names", ["--run-ignored", "all", "hostile"]),
        mk("asan: libtest-json", ["--message-format", "libtest-json-plus"],
           env={"NEXTEST_EXPERIMENTAL_LIBTEST_JSON": "1"}),
        Case("asan: fakerunner 200 attempts -j 8", [fr, "-n", "200", "-j", "8"], shim_env=san,
             shim_preload=[libasan, lib], expect=fake_ids(200), extra_check=check),
    ]


def cases_tsan(b, sim, lib):
    """The TSan library (traced) preloaded into the TSan spawn storm."""
    logs = os.path.join(os.path.dirname(lib), "logs", "report")
    shutil.rmtree(os.path.dirname(logs), ignore_errors=True)
    os.makedirs(os.path.dirname(logs))
    storm = os.path.join(b, "storm-tsan")
    n = int(os.environ.get("STORM_ATTEMPTS", "2000"))
    ids = {f"33333333-2222-3333-4444-555555555555:storm-bin$storm::t{i:05d}" for i in range(n)}
    return [Case(f"tsan: spawn storm, {n} attempts, 8 spawners, 4 reapers",
                 [storm, os.path.join(b, "fakechild"), str(n), "8", "4"],
                 env={"TSAN_OPTIONS": f"halt_on_error=0:exitcode=66:log_path={logs}"},
                 compare="stdout-only", expect=ids, extra_check=sanitizer_logs(logs), timeout=300)]


def setup_suid(b):
    """The setuid-root copy of the runner, linked against its own library copy."""
    runner = os.path.join(b, "suid", "suidrunner")
    os.chown(runner, 0, 0)
    os.chmod(runner, 0o4755)
    for d in (b, os.path.join(b, "suid")):
        os.chmod(d, 0o755)


GROUPS = {"sabotage": cases_sabotage, "errno": cases_errno, "asan": cases_asan, "tsan": cases_tsan}


def case_names(group):
    """The names of a group's cases (built against a scratch directory: no side effects)."""
    with tempfile.TemporaryDirectory() as t:
        return [c.name for c in GROUPS[group](t, os.path.join(t, "sim"), os.path.join(t, "lib", "lib.so"))]


def run_group(group, b, sim, lib, only=None):
    """Runs the group's cases (those named in `only`, default all) under one bpftrace
    session; returns [(case name, events seen, [problems])] in case order."""
    b, sim, lib = (os.path.abspath(x) for x in (b, sim, lib))
    cases = [c for c in GROUPS[group](b, sim, lib) if only is None or c.name in only]
    suid_lib = os.path.join(b, "suid", "libnextest_probes.so")
    if group == "sabotage":
        setup_suid(b)
    truths = os.path.join(b, f"truth-{group}")
    shutil.rmtree(truths, ignore_errors=True)
    os.makedirs(truths)

    session = tracer.Session([lib, suid_lib] if group == "sabotage" else [lib],
                             os.path.join(b, f"bpftrace-{group}.txt"))
    results = []
    for i, c in enumerate(cases):
        sub = lambda xs: [x.replace("@LIB@", lib) for x in xs]  # noqa: E731
        cmd = sub(c.cmd)
        plain = sub(c.plain_cmd) if c.plain_cmd else [x for x in cmd]
        shim_pre = c.plain_preload + [lib] if c.shim_preload is None else sub(c.shim_preload)
        tp = os.path.join(truths, f"{i}.jsonl")
        if c.truth:
            cmd = cmd + ["--truth", tp]
            plain = plain + ["--truth", tp + ".plain"]
        _, prc, pout, perr = run(plain, c.env, c.plain_preload, c.timeout, c.cwd)
        spid, src, sout, serr = run(cmd, dict(c.env, **c.shim_env), shim_pre, c.timeout, c.cwd)
        problems = []
        if prc is None or src is None:
            problems.append(f"timed out (plain rc {prc}, shim rc {src})")
        if prc != src:
            problems.append(f"exit code {prc} without the library, {src} with it")
        if c.transform:
            pout, perr, sout, serr = map(c.transform, (pout, perr, sout, serr))
        if c.compare != "rc-only":
            pairs = (("stdout", pout, sout), ("stderr", perr, serr))
            if c.compare == "stdout-only":     # stderr carries timing-dependent lines
                pairs = pairs[:1]
            for label, x, y in pairs:
                if c.compare in ("exact", "stdout-only"):
                    d = None if x == y else f"{label} differs: {x[-300:]!r} vs {y[-300:]!r}"
                else:
                    d = mask.compare(x, y, c.compare)
                    d = d and f"{label}: {d}"
                if d:
                    problems.append(d)
        if c.extra_check:
            d = c.extra_check(spid)
            if d:
                problems.append(d)
        expect = c.expect
        if c.truth:
            expect = truth_ids(tp) if os.path.exists(tp) else None
            if not expect:
                problems.append("the simulator wrote no test-attempt-start to its truth")
        results.append((c, spid, expect, problems))

    events, _end, lost = session.stop()
    for prob in lost:
        print(f"bpftrace: {prob}")
    out = []
    for c, spid, expect, problems in results:
        got = tracer.counts(events, spid)
        expect = clip(expect) if expect else expect
        if expect == 0 and got:
            problems.append(f"library not inert: {sum(s + d for s, d in got.values())} events")
        elif expect:
            missing = sorted(expect - got.keys())
            wrong = sorted(k for k in expect & got.keys() if got[k] != [1, 1])
            extra = sorted(got.keys() - expect)
            if missing:
                problems.append(f"{len(missing)} attempts without events, e.g. {missing[:2]}")
            if wrong:
                problems.append(f"{len(wrong)} attempts without exactly one start and one done, "
                                f"e.g. {wrong[0]}: {got[wrong[0]]}")
            # ids from the truth are judged like a fixed list: an event for an attempt
            # the runner never made is as wrong as a missing one
            if extra:
                problems.append(f"{len(extra)} unexpected attempt ids, e.g. {extra[:2]}")
        if lost:
            problems.append("bpftrace lost events")
        out.append((c.name, sum(s + d for s, d in got.values()), problems))
    return out


def main():
    """Without pytest (the arm64 guest has only python3): one group, one line per case."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--lib", required=True, help="the traced copy of the library")
    ap.add_argument("--skip-simulator", action="store_true",
                    help="leave out the cases that run the simulator (named in the output)")
    ap.add_argument("group", choices=list(GROUPS))
    a = ap.parse_args()
    only = None
    if a.skip_simulator:
        sim = os.path.abspath(a.sim)
        cases = GROUPS[a.group](os.path.abspath(a.build), sim, os.path.abspath(a.lib))
        for c in cases:
            if sim in c.cmd:
                print(f"left out (--skip-simulator): {a.group}: {c.name}")
        only = [c.name for c in cases if sim not in c.cmd]
    ck = Checks(echo=False)
    for name, n_ev, problems in run_group(a.group, a.build, a.sim, a.lib, only):
        print(f"{'PASS' if not problems else 'FAIL'} {a.group}: {name} ({n_ev} events)")
        for p in problems:
            print(f"    {p}")
        ck.check(name, not problems)
    sys.exit(ck.exit_code())


if __name__ == "__main__":
    main()
