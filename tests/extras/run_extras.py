#!/usr/bin/env python3
"""run_extras.py — end-to-end tests of the extra provider (nextest_extra).

Owns: the checks of docs/extras.md under real bpftrace and the simulator
(build/sim-target/release/nextest-sim), on the fixture workspace
(tests/fixtures/workspace) and on our crash workspace (tests/extras/ws):
  rusage    attempt-rusage agrees with what the measure_* fixtures measure of
            themselves; it fires once per attempt, right after test-attempt-done
            of the same attempt; JSON arg0 carries the same numbers.
  rusage-standalone  the same probe with none of nextest's ten attached.
  crash     SIGSEGV, SIGABRT, SIGILL, SIGFPE, a SIGSEGV in a named thread and a
            stack overflow each yield a backtrace naming the crashing function,
            and the runner's output and exit code are the same as without the
            library (human and libtest-json), with and without the tracer.
  sigvirt   a C test process reads back exactly the dispositions it set
            (signal(), sigaction(), SA_SIGINFO, SA_RESETHAND, SIG_DFL) and its own
            SIGSEGV handler still runs after our report.
  hung      a hanging test yields every thread's stack naming the function each
            is blocked in, and still times out exactly as without the library.
  quiet     with no tracer, the library adds no system call: the set of system
            calls made (runner and tests, strace -f) is the same with and without
            it, apart from loading it.
Under pytest: tests/extras/test_extras.py (make extras-tests), one test per group, crash
case and format, sigvirt mode.  Without pytest (a guest with python3 only):
run_extras.py --lib build/libnextest_probes.so [GROUP…]   (root, bpftrace)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import mask as e2e_mask  # noqa: E402  (the e2e harness's noise masks)
from bpfsession import BpftraceSession  # noqa: E402
from checks import Checks  # noqa: E402

SIM = os.path.join(ROOT, "build", "sim-target", "release", "nextest-sim")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "workspace")
FIXTURES_TARGET = os.path.join(ROOT, "build", "fixtures-target")
WS = os.path.join(ROOT, "tests", "extras", "ws")
WS_TARGET = os.path.join(ROOT, "build", "extras-ws-target")

# CPU: wait4 counts the whole process (exec of the double-spawn stub, libtest's
# setup, the test, its exit); the fixture's own getrusage(RUSAGE_SELF) is taken
# just before it prints, so ours is >= and exceeds it only by the exit path.
CPU_SLACK_NS = 50_000_000
# Max RSS is a high-water mark of the same process (kernel signal->maxrss
# includes the pre-exec image); it is reached before the fixture prints, so the
# two agree to within what printing and exiting can touch.
RSS_SLACK_KIB = 2048
# Emulated machines only (make check-aarch64 sets NX_EXTRAS_EMULATED): the guest's clocks
# follow the host's, so a task the guest runs while the host does not run that virtual CPU
# (or while it translates code the guest runs for the first time) is charged the time as
# CPU.  After the fixture measured itself, the CPU the kernel charges it there can then
# exceed CPU_SLACK_NS by up to the wall time that passed until the reap; the check
# measures that window (the fixture's write of its line to the reap, both seen by
# bpftrace) and allows its length on top, nothing else.  The library's numbers are checked
# against the kernel's own reap result exactly, everywhere (wait4 below).
EMULATED_ENV = "NX_EXTRAS_EMULATED"
# struct rusage on 64-bit Linux (x86_64, aarch64): two timevals (16 bytes each), then longs:
# ru_maxrss at 32, ru_minflt 64, ru_majflt 72, ru_nvcsw 128, ru_nivcsw 136.
RUSAGE_OFFSETS = (0, 8, 16, 24, 32, 64, 72, 128, 136)

def run(cmd, cwd, env_extra=None, preload=None, timeout=120):
    env = dict(os.environ)
    env.update(env_extra or {})
    if preload:
        env["LD_PRELOAD"] = preload
    else:
        env.pop("LD_PRELOAD", None)
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def attach(ck, program, name, strlen=200):
    """A bpftrace session whose READY handshake is itself a check (`name: bpftrace
    attached`): a session that never attached fails instead of letting the checks after
    it pass with nothing attached."""
    tr = BpftraceSession(program, strlen=strlen)
    ck.check(f"{name}: bpftrace attached (READY) before the runner started", tr.ready, tr.why)
    return tr


def json_chunks(var, probe_tag, chunk=199):
    """bpftrace statements printing str(var) in chunk-byte pieces (STRLEN = chunk + 1)."""
    return "".join(f'\tprintf("{probe_tag}J{k}\\t%s\\n", str({var} + {chunk * k}));\n'
                   for k in range(8))


def join_json(lines, tag, chunk=199):
    """Reassembles the chunks printed by json_chunks, in firing order."""
    out, cur = [], None
    for line in lines:
        m = re.match(rf"^{tag}J(\d)\t(.*)$", line)
        if not m:
            continue
        k, text = int(m.group(1)), m.group(2)
        if k == 0:
            cur = {"parts": [], "done": False}
            out.append(cur)
        if cur is None or cur["done"]:
            continue
        cur["parts"].append(text)
        if len(text.encode()) < chunk:
            cur["done"] = True
    return ["".join(c["parts"]) for c in out]


# Each runner directory is built once (a plain run that also caches cargo's
# messages); every compared run then passes --no-build, so cargo's own noise
# (build times, "Blocking waiting for file lock") never enters a comparison.
warmed = set()


def sim_in(cwd, target, args, preload, env):
    e = {"CARGO_TARGET_DIR": target}
    e.update(env or {})
    if cwd not in warmed:
        run([SIM, "run", "__no_such_test__"],
            cwd, {"CARGO_TARGET_DIR": target})
        warmed.add(cwd)
    return run([SIM, "run", "--no-build"] + args, cwd, e, preload)


def sim_fixtures(args, preload=None, env=None):
    return sim_in(FIXTURES, FIXTURES_TARGET, args, preload, env)


def sim_ws(args, preload=None, env=None):
    return sim_in(WS, WS_TARGET, args, preload, env)


MASK_EXTRA = [(re.compile(rb"(thread '[^'\n]*') \([0-9]+\) has overflowed"), rb"\1 (<TID>) has overflowed")]


def masked(data):
    data = e2e_mask.mask(data)
    for rx, rep in MASK_EXTRA:
        data = rx.sub(rep, data)
    return data


def same_outcome(ck, name, a, b):
    ok = a[0] == b[0] and masked(a[1]) == masked(b[1]) and masked(a[2]) == masked(b[2])
    detail = ""
    if not ok:
        detail = f"exit {a[0]} vs {b[0]}"
        for which, x, y in (("stdout", a[1], b[1]), ("stderr", a[2], b[2])):
            xl, yl = masked(x).splitlines(), masked(y).splitlines()
            for i, (p, q) in enumerate(zip(xl, yl)):
                if p != q:
                    detail += f"; {which} line {i}: {p!r} vs {q!r}"
                    break
            if len(xl) != len(yl):
                detail += f"; {which} {len(xl)} vs {len(yl)} lines"
    return ck.check(name, ok, detail)


# ---- rusage ----

def rusage_program(lib, with_done):
    done = ""
    if with_done:
        done = (f"usdt:{lib}:nextest:test-attempt-done\n"
                '{\n\tprintf("DONE\\t%s\\n", str(arg1));\n}\n')
    # The kernel's own answer to every reap (the truth for the library's numbers): the
    # struct rusage that wait4 filled in, read at the system call's return (W4), and the
    # instant each fixture wrote its self-measurement line (FXW, the start of the window
    # after which its CPU is no longer self-measured).  64-bit values: %llu / %lld
    # (%d prints the low 32 bits).
    w4 = ", ".join(f"*(int64 *)($r + {o})" for o in RUSAGE_OFFSETS)
    truth = ("tracepoint:syscalls:sys_enter_wait4\n{\n\t@w4ru[tid] = (uint64)args->ru;\n}\n"
             "tracepoint:syscalls:sys_exit_wait4\n/@w4ru[tid]/\n{\n"
             "\tif (args->ret > 0) {\n\t\t$r = @w4ru[tid];\n"
             '\t\tprintf("W4\\t%d\\t%llu' + "\\t%lld" * len(RUSAGE_OFFSETS) + '\\n", args->ret, nsecs, '
             + w4 + ");\n\t}\n\tdelete(@w4ru[tid]);\n}\n"
             "tracepoint:syscalls:sys_enter_write\n"
             '/strncmp(str(args->buf, 10), "fx-measure", 10) == 0/\n{\n'
             '\tprintf("FXW\\t%d\\t%llu\\n", pid, nsecs);\n}\n')
    return done + truth + (
        f"usdt:{lib}:nextest_extra:attempt-rusage\n{{\n"
        '\tprintf("RUA\\t%s\\n", str(arg1));\n'
        '\tprintf("RUB\\t%s\\n", str(arg2));\n'
        '\tprintf("RU\\t%s\\t%d\\t%llu\\t%llu\\t%llu\\t%llu\\t%llu\\t%llu\\t%llu\\n", '
        "str(arg3), arg5, *(uint64 *)arg4, *(uint64 *)(arg4 + 8), *(uint64 *)(arg4 + 16), "
        "*(uint64 *)(arg4 + 24), *(uint64 *)(arg4 + 32), *(uint64 *)(arg4 + 40), *(uint64 *)(arg4 + 48));\n"
        + json_chunks("arg0", "RU") + "}\n")


def kernel_reaps(lines):
    """{pid: (t_ns, [user ns, system ns, max RSS KiB, minor, major, vcsw, ivcsw])} from the
    W4 lines: what the kernel's wait4 gave the reaper, in the probe's units."""
    out = {}
    for l in lines:
        f = l.split("\t")
        if f[0] != "W4" or len(f) != 3 + len(RUSAGE_OFFSETS):
            continue
        v = [int(x) for x in f[3:]]
        out[int(f[1])] = (int(f[2]), [v[0] * 1_000_000_000 + v[1] * 1000, v[2] * 1_000_000_000 + v[3] * 1000,
                                      v[4], v[5], v[6], v[7], v[8]])
    return out


def thp_mode():
    """The kernel's transparent huge page mode ("always", "madvise", "never") and the huge
    page size, from sysfs; ("?", 0) where it cannot be read."""
    base = "/sys/kernel/mm/transparent_hugepage"
    try:
        mode = re.search(r"\[(\w+)\]", open(os.path.join(base, "enabled")).read()).group(1)
        size = int(open(os.path.join(base, "hpage_pmd_size")).read())
    except (OSError, AttributeError, ValueError):
        return "?", 0
    return mode, size


def parse_measure(stdout):
    m = {}
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("fx-measure "):
            kv = dict(x.split("=", 1) for x in line.split()[1:])
            m[kv["test"]] = kv
    return m


def rusage(ck, lib, standalone=False):
    tag = "rusage-standalone" if standalone else "rusage"
    tr = attach(ck, rusage_program(lib, not standalone), tag)
    res = sim_fixtures(["--run-ignored", "only", "-j", "1", "--no-capture", "measure_"], preload=lib)
    out = tr.stop()
    lines = out.splitlines()
    meas = parse_measure(res[1])
    rus, ids = [], {}
    for l in lines:
        f = l.split("\t")
        if f[0] in ("RUA", "RUB"):
            ids[f[0]] = f[1] if len(f) > 1 else ""
        elif f[0] == "RU":
            rus.append(["RU", ids.pop("RUA", "?"), ids.pop("RUB", "?")] + f[1:])
    by_test = {r[3]: r for r in rus}
    ck.check(f"{tag}: the fixtures ran and measured themselves", res[0] == 0 and
             set(meas) == {"measure_cpu_200ms", "measure_mem_64mib"}, f"exit {res[0]}, {sorted(meas)}")
    ck.check(f"{tag}: one attempt-rusage per attempt", sorted(by_test) == sorted(meas) and len(rus) == len(meas),
             f"{len(rus)} events for {sorted(by_test)}; bpftrace said: {out[-400:]}")
    if not standalone:
        seq = [["RU" if l.startswith("RUA") else "DONE", l.split("\t")[1]]
               for l in lines if l.startswith(("DONE\t", "RUA\t"))]
        pairs_ok = len(seq) == 2 * len(meas) and all(
            seq[i][0] == "DONE" and seq[i + 1][0] == "RU" and seq[i][1] == seq[i + 1][1]
            for i in range(0, len(seq), 2))
        ck.check(f"{tag}: fired right after test-attempt-done of the same attempt", pairs_ok, str(seq))
    jsons = join_json(lines, "RU")
    parsed = []
    for j in jsons:
        try:
            parsed.append(json.loads(j)["ok"])
        except (ValueError, KeyError):
            parsed.append(None)
    ck.check(f"{tag}: arg0 is {{\"ok\":…}} JSON", len(parsed) == len(rus) > 0 and all(parsed), str(jsons)[:300])
    reaps = kernel_reaps(lines)
    writes = {int(l.split("\t")[1]): int(l.split("\t")[2]) for l in lines if l.startswith("FXW\t")}
    emulated = bool(os.environ.get(EMULATED_ENV))
    for r, js in zip(rus, parsed):
        _, attempt_id, binary_id, test, pid, user, sys_, rss, minflt, majflt, vcsw, ivcsw = r
        nums = [int(x) for x in (user, sys_, rss, minflt, majflt, vcsw, ivcsw)]
        if js:
            want = {"attempt_id": attempt_id, "binary_id": binary_id, "test_name": test, "pid": int(pid),
                    "user_cpu_nanos": nums[0], "system_cpu_nanos": nums[1], "max_rss_kib": nums[2],
                    "minor_faults": nums[3], "major_faults": nums[4],
                    "voluntary_context_switches": nums[5], "involuntary_context_switches": nums[6]}
            bad = {k: (js.get(k), v) for k, v in want.items() if js.get(k) != v}
            ck.check(f"{tag}: {test}: JSON fields = scalar args", not bad and js.get("result") == "pass", str(bad))
        ck.check(f"{tag}: {test}: ids", binary_id == "fx-basic::measure" and attempt_id.endswith("$" + test),
                 f"{attempt_id} {binary_id}")
        # The truth: the struct rusage the kernel's wait4 returned for this pid, field by field.
        reap = reaps.get(int(pid))
        ck.check(f"{tag}: {test}: the seven numbers are the kernel's wait4 result for pid {pid}",
                 reap is not None and reap[1] == nums,
                 f"probe {nums} vs kernel {reap[1] if reap else None} "
                 f"(reaps seen for pids {sorted(reaps)})")
        me = meas.get(test)
        if not me:
            continue
        rss_self = int(me["maxrss_kib"])
        ck.check(f"{tag}: {test}: max RSS {nums[2]} KiB vs self-measured {rss_self} KiB (+{RSS_SLACK_KIB})",
                 rss_self <= nums[2] <= rss_self + RSS_SLACK_KIB)
        if test == "measure_cpu_200ms":
            self_ns = (int(me["utime_us"]) + int(me["stime_us"])) * 1000
            ours = nums[0] + nums[1]
            slack, why = CPU_SLACK_NS, ""
            if emulated:
                # the window after the self-measurement: its line's write to the reap
                w = writes.get(int(pid))
                window = reap[0] - w if reap and w is not None and reap[0] >= w else None
                ck.check(f"{tag}: {test}: (emulated) the window from the self-measurement to the "
                         f"reap was seen", window is not None, f"write {w}, reap {reap and reap[0]}")
                slack += window or 0
                why = f" + {(window or 0) / 1e6:.1f} ms from its self-measurement to the reap (emulated)"
            ck.check(f"{tag}: {test}: CPU {ours} ns vs self-measured {self_ns} ns (+{CPU_SLACK_NS}{why})",
                     self_ns <= ours <= self_ns + slack)
            # (the user/system split is the kernel's tick-sampled estimate; only
            # the sum is exact, so only the sum is compared)
            ck.check(f"{tag}: {test}: at least the 200 ms the fixture burns", ours >= 200_000_000, str(nums))
        if test == "measure_mem_64mib":
            # 64 MiB touched page by page, 16,384 pages.  THP "madvise" or "never": the
            # allocation is not advised, every page is its own fault, and 8,192 (one per
            # 8 KiB) leaves room for the kernel mapping a few pages at once.  THP "always":
            # the kernel may map each aligned huge page of the range in one fault; the range
            # (not huge-page aligned) holds at least size/huge page - 1 of them.
            size = int(me.get("bytes", 64 << 20))
            mode, hp = thp_mode()
            low = size // hp - 1 if mode == "always" and hp else 8192
            ck.check(f"{tag}: {test}: minor faults {nums[3]} >= {low} (transparent huge pages: {mode}"
                     f"{f', {hp >> 10} KiB' if hp else ''})", nums[3] >= low)


# ---- crash ----

def crash_program(lib):
    return (f"usdt:{lib}:nextest_extra:crash\n{{\n"
            '\tprintf("CR\\t%d\\t%d\\t%s\\t%d\\t%d\\n", pid, tid, str(arg2), arg4, arg5);\n'
            '\tprintf("CRT\\t%d\\t%s\\n", tid, str(arg3));\n'
            + json_chunks("arg0", "CR", 119) + "}\n"
            f"usdt:{lib}:nextest_extra:crash-frame\n{{\n"
            '\tprintf("FR\\t%d\\t%d\\t%d\\t%s\\n", pid, tid, arg3, str(arg2));\n'
            "}\n")


def parse_crashes(text):
    """[(pid, tid, test, sig, nframes, thread, [symbols by index])] in firing order."""
    crashes, names = [], {}
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "CR":
            crashes.append({"pid": f[1], "tid": f[2], "test": f[3], "sig": int(f[4]),
                            "n": int(f[5]), "frames": {}})
        elif f[0] == "CRT" and crashes:
            crashes[-1]["thread"] = f[2] if len(f) > 2 else ""
        elif f[0] == "FR":
            for c in reversed(crashes):
                if c["pid"] == f[1] and c["tid"] == f[2]:
                    c["frames"][int(f[3])] = f[4] if len(f) > 4 else ""
                    break
    return crashes


CRASH_CASES = [
    # (runner, filter args, test name, [(signal, function that must be named)], thread name)
    ("fixtures", ["--run-ignored", "only", "fail_segv"], "fail_segv", [(11, "fail_segv")], None),
    ("fixtures", ["--run-ignored", "only", "fail_abort"], "fail_abort", [(6, "fail_abort")], None),
    ("ws", ["xc_sigill"], "xc_sigill", [(4, "xc_illegal_instruction")], None),
    ("ws", ["xc_sigfpe"], "xc_sigfpe", [(8, "xc_divide_by_zero")], None),
    ("ws", ["xc_segv_thread"], "xc_segv_thread", [(11, "xc_segv_in_worker")], "xc-worker"),
    # Rust's stack-overflow handler must still run (message + SIGABRT): we
    # report the SIGSEGV, chain to std's handler, then report its abort.
    ("ws", ["xc_stack_overflow"], "xc_stack_overflow",
     [(11, "xc_recurse_forever"), (6, "stack_overflow")], None),
]


CRASH_FORMATS = {"human": {}, "libtest-json": {"NEXTEST_EXPERIMENTAL_LIBTEST_JSON": "1"}}


def crash(ck, lib, case, fmt):
    """One CRASH_CASES entry under one message format."""
    runner, filt, test, wants, thread = case
    sim = sim_fixtures if runner == "fixtures" else sim_ws
    env = CRASH_FORMATS[fmt]
    args = ["-j", "1", "--no-fail-fast", "--message-format", fmt] + filt
    plain = sim(args, env=env)
    shim_quiet = sim(args, preload=lib, env=env)
    tr = attach(ck, crash_program(lib), f"crash: {test} [{fmt}]", 120)
    shim_traced = sim(args, preload=lib, env=env)
    text = tr.stop()
    ck.check(f"crash: {test} [{fmt}]: the test failed by a signal", plain[0] != 0 and
             b"signal" in plain[1] + plain[2], f"exit {plain[0]}")
    same_outcome(ck, f"crash: {test} [{fmt}]: same output and exit code, library loaded, no tracer",
                 plain, shim_quiet)
    same_outcome(ck, f"crash: {test} [{fmt}]: same output and exit code, crash probes attached",
                 plain, shim_traced)
    # the crash events, in both formats (the message format changes the runner's
    # output handling, not the test process that crashes)
    crashes = [c for c in parse_crashes(text) if c["test"] == test]
    sigs = [c["sig"] for c in crashes]
    ck.check(f"crash: {test} [{fmt}]: crash events for signals {[w[0] for w in wants]}",
             sigs == [w[0] for w in wants], f"got {sigs}; bpftrace: {text[-300:]}")
    for c, (sig, fn) in zip(crashes, wants):
        syms = [c["frames"].get(i, "") for i in range(c["n"])]
        ck.check(f"crash: {test} [{fmt}]: signal {sig}: {c['n']} frames, all fired",
                 c["n"] >= 1 and len(c["frames"]) == c["n"], f"{sorted(c['frames'])}")
        ck.check(f"crash: {test} [{fmt}]: signal {sig}: backtrace names {fn}",
                 any(fn in s for s in syms), str(syms))
        if thread:
            ck.check(f"crash: {test} [{fmt}]: thread name {thread}", c.get("thread") == thread,
                     str(c.get("thread")))
    jsons = []
    for j in join_json(text.splitlines(), "CR", 119):
        try:
            jsons.append(json.loads(j)["ok"])
        except (ValueError, KeyError):
            jsons.append({"unparsed": j})
    mine = [j for j in jsons if j.get("test_name") == test]
    ck.check(f"crash: {test} [{fmt}]: JSON arg0 (signal, ids)",
             mine and [j.get("signal") for j in mine] == sigs and len(mine) == len(crashes) and all(j["attempt_id"].endswith("$" + test) for j in mine),
             str(mine)[:300])


# ---- sigvirt: the program sees its own dispositions ----

SIGVIRT = os.path.join(ROOT, "build", "extras", "sigvirt")


SIGVIRT_MODES = ("handler", "dfl", "resethand")


def sigvirt(ck, lib, modes=SIGVIRT_MODES):
    env = {"NEXTEST_EXECUTION_MODE": "process-per-test", "NEXTEST_TEST_NAME": "sigvirt",
           "NEXTEST_ATTEMPT_ID": "run:bin$sigvirt"}
    want_rc = {"handler": 42, "dfl": -11, "resethand": -11}
    for mode in modes:
        plain = run([SIGVIRT, mode], ROOT, env)
        quiet = run([SIGVIRT, mode], ROOT, env, lib)
        tr = attach(ck, crash_program(lib), f"sigvirt {mode}", 120)
        traced = run([SIGVIRT, mode], ROOT, env, lib)
        text = tr.stop()
        ck.check(f"sigvirt {mode}: exit {want_rc[mode]} without the library", plain[0] == want_rc[mode],
                 f"{plain[0]}")
        for label, got in (("library loaded", quiet), ("crash probes attached", traced)):
            ck.check(f"sigvirt {mode}: {label}: same exit and output (dispositions as set)",
                     got[0] == plain[0] and got[1] == plain[1],
                     f"exit {got[0]} vs {plain[0]}; {got[1]!r} vs {plain[1]!r}")
        crashes = [c for c in parse_crashes(text) if c["test"] == "sigvirt"]
        ck.check(f"sigvirt {mode}: one crash report (SIGSEGV) naming main",
                 [c["sig"] for c in crashes] == [11] and "main" in crashes[0]["frames"].values(),
                 str(crashes)[:300])


# ---- hung ----

HUNG_THREADS = {
    # thread name -> a word one of its frames must contain (case-insensitive)
    "fx-sleep": "sleep",
    "fx-park": "park",
    "fx-recv": "park_timeout",
    "fx-condvar": "condvar",
    "hang_threads": "sleep",
}


def hung_program(lib):
    # REN: every thread naming (task_rename: prctl(PR_SET_NAME) or a write to
    # /proc/…/comm, how std names its threads), with the instants of the slow events and
    # captures: when a capture lists fewer threads than the test has, whether the test had
    # started them yet is measured, not assumed.
    return ("tracepoint:task:task_rename\n{\n"
            '\tprintf("REN\\t%d\\t%s\\t%llu\\n", args->pid, args->newcomm, nsecs);\n}\n'
            f"usdt:{lib}:nextest:test-attempt-slow\n{{\n"
            '\tprintf("SLOW\\t%s\\t%llu\\n", str(arg1), nsecs);\n}\n'
            f"usdt:{lib}:nextest_extra:hung-stacks\n{{\n"
            '\tprintf("HS\\t%s\\t%d\\t%d\\t%llu\\n", str(arg1), arg4, arg5, nsecs);\n}\n'
            f"usdt:{lib}:nextest_extra:hung-thread\n{{\n"
            '\tprintf("HT\\t%d\\t%d\\t%d\\t%s\\n", arg3, arg4, arg5, str(arg2));\n}\n'
            f"usdt:{lib}:nextest_extra:hung-frame\n{{\n"
            '\tprintf("HF\\t%d\\t%s\\t%llu\\n", arg4, str(arg3), arg5);\n}\n')


def hung(ck, lib):
    args = ["-P", "slow", "--run-ignored", "only", "-j", "1", "hang_threads"]
    plain = sim_fixtures(args)
    tr = attach(ck, hung_program(lib), "hung", 160)
    shim = sim_fixtures(args, preload=lib)
    text = tr.stop()
    ck.check("hung: the test timed out", b"TIMEOUT" in plain[2] and plain[0] != 0, f"exit {plain[0]}")
    same_outcome(ck, "hung: same output and exit code (timeout) with stacks captured", plain, shim)
    lines = text.splitlines()
    first_hs = next((i for i, l in enumerate(lines) if l.startswith("HS\t")), None)
    first_slow = next((i for i, l in enumerate(lines) if l.startswith("SLOW\t")), None)
    ck.check("hung: hung-stacks after the first test-attempt-slow",
             first_hs is not None and first_slow is not None and first_slow < first_hs, text[-300:])
    if first_hs is None:
        return
    hs = lines[first_hs].split("\t")
    # The precondition of the thread checks below: the test had named its threads (std names
    # a thread as it starts it; libtest names the test's own thread after the test) before
    # the first capture.  The slow-timeout of the profile must leave the test time to get
    # there; on an emulated machine its start takes far longer than natively.
    named = {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "REN" and len(f) == 4 and f[2] in HUNG_THREADS:
            named[f[2]] = int(f[3])
    t_hs = int(hs[4]) if len(hs) > 4 else 0
    late = {n: f"{(t - t_hs) / 1e6:+.1f} ms" for n, t in named.items() if t >= t_hs}
    ck.check("hung: the test had named its threads before the first capture",
             set(named) == set(HUNG_THREADS) and not late,
             f"named: {sorted(named)}, of {sorted(HUNG_THREADS)}; named after the capture: {late}")
    ck.check("hung: hung-stacks names the attempt and counts >= 6 threads",
             hs[1].endswith("$hang_threads") and int(hs[3]) >= 6, str(hs))
    # the first capture: threads and their frames up to the next hung-stacks
    threads, cur = {}, None
    for l in lines[first_hs + 1:]:
        f = l.split("\t")
        if f[0] == "HS":
            break
        if f[0] == "HT":
            cur = {"tid": f[1], "n": int(f[2]), "syscall": int(f[3]), "frames": {}, "ips": {}}
            threads[f[4] if len(f) > 4 else ""] = cur
        elif f[0] == "HF" and cur is not None:
            cur["frames"][int(f[1])] = f[2] if len(f) > 2 else ""
            cur["ips"][int(f[1])] = int(f[3]) if len(f) > 3 else None
    ck.check("hung: one hung-thread per thread of the test", len(threads) == int(hs[3]), str(sorted(threads)))
    for name, word in HUNG_THREADS.items():
        t = threads.get(name)
        if not ck.check(f"hung: thread {name} reported", t is not None, str(sorted(threads))):
            continue
        syms = [t["frames"].get(i, "") for i in range(t["n"])]
        ck.check(f"hung: thread {name}: blocked in a system call, {t['n']} frames all fired",
                 t["syscall"] >= 0 and t["n"] >= 2 and len(t["frames"]) == t["n"], str(t)[:200])
        ck.check(f"hung: thread {name}: a frame names {word}",
                 any(word in s.lower() for s in syms), str(syms))
        # None of these threads recurses: one return address twice in a row is one frame
        # record read twice (on aarch64, a leaf's caller taken for its caller's caller).
        ips = [t["ips"].get(i) for i in range(t["n"])]
        again = [i for i in range(1, len(ips)) if ips[i] is not None and ips[i] == ips[i - 1]]
        ck.check(f"hung: thread {name}: no frame repeated", not again,
                 f"frames {again} repeat the one before: {[syms[i] for i in again]}")


# ---- quiet ----

# Calls the extras would add if they did anything untraced (arming the crash
# handlers, listing /proc/PID/task, reading a test's memory, re-queueing a
# signal): their counts must not move.  (Thread creation is not counted: the
# runner's and libtest's own thread counts vary from run to run.)
EXTRAS_CALLS = ("rt_sigaction", "process_vm_readv", "getdents64", "rt_tgsigqueueinfo")


def syscall_counts(trace_file):
    """{syscall name: count} over every process, from strace -f -o output."""
    counts = {}
    rx = re.compile(r"^\d+\s+([a-z0-9_]+)\(")
    for line in open(trace_file, errors="replace"):
        m = rx.match(line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def quiet(ck, lib):
    args = ["--run-ignored", "only", "-j", "1", "--no-fail-fast", "measure_", "fail_segv", "fail_abort"]
    # The traced runs reuse the build messages (--no-build, see sim_in) so that
    # only the runner and the tests are seen (cargo's thread counts vary).
    sim_fixtures(["__no_such_test__"])
    args = ["--no-build"] + args
    got = {}
    for which, pre in (("plain", None), ("shim", lib)):
        with tempfile.NamedTemporaryFile(suffix=".strace", delete=False) as f:
            name = f.name
        env = {"CARGO_TARGET_DIR": FIXTURES_TARGET}
        res = run(["strace", "-f", "-qq", "-o", name, SIM, "run"] + args, FIXTURES, env, pre, timeout=300)
        got[which] = (res[0], syscall_counts(name))
        os.unlink(name)
    (rc_p, plain), (rc_s, shim) = got["plain"], got["shim"]
    ck.check("quiet: same exit code under strace", rc_p == rc_s and rc_p != 0, f"{rc_p} vs {rc_s}")
    ck.check("quiet: strace saw the tests", plain.get("execve", 0) >= 4, str(plain.get("execve")))
    # sched_yield: std's channels spin, then yield, depending on timing alone.
    extra = sorted(set(shim) - set(plain) - {"sched_yield"})
    ck.check("quiet: no system call the runner and its tests did not already make", not extra, str(extra))
    moved = {k: (plain.get(k, 0), shim.get(k, 0)) for k in EXTRAS_CALLS if plain.get(k, 0) != shim.get(k, 0)}
    ck.check("quiet: same number of rt_sigaction, getdents64, process_vm_readv, rt_tgsigqueueinfo calls",
             not moved, str(moved))


TESTS = {"rusage": rusage, "rusage-standalone": lambda ck, lib: rusage(ck, lib, True),
         "crash": lambda ck, lib: [crash(ck, lib, c, f) for c in CRASH_CASES for f in CRASH_FORMATS],
         "sigvirt": sigvirt, "hung": hung, "quiet": quiet}


def main():
    """Without pytest (the arm64 guest has only python3): the named groups in one run."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("tests", nargs="*")
    a = ap.parse_args()
    lib = os.path.abspath(a.lib)
    ck = Checks()
    for name in a.tests or list(TESTS):
        TESTS[name](ck, lib)
    return ck.exit_code()


if __name__ == "__main__":
    sys.exit(main())
