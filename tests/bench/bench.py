#!/usr/bin/env python3
"""bench.py — the performance table of docs/performance.md.

Owns: measuring, in one run and interleaved, what the library costs.  Every
ratio is a median of per-pair ratios of runs made back to back; CPU time and
page faults are those of the whole process tree (perf stat follows children),
never wall time.  Parts (--only):

  whole     2,000 trivial tests (fx-many's 1,000 x --stress-count 2) at -j 1,
            the default and -j 8, each round running: no preload (A), an empty
            preloaded object (E, the floor of any preload), the library
            untraced (B), the library with nextest's ten probes and the extra
            provider's runner-side probes attached (T), and with the crash
            probes attached too (C: the library then stays in every test).
  syscalls  system calls made by the runner itself (its threads, strace -ff),
            1,000 attempts, A vs B.
  load      one `/bin/true` under LD_PRELOAD: none, the empty object, the
            library (its thin object: a process that starts no test never
            loads the engine): instructions (callgrind, the loader included)
            and, over 1,000 interleaved spawns, CPU time and page faults per
            process (perf stat).
  instr     instructions of the runner process itself (callgrind, children
            not traced), 1,000 attempts, A vs B.
  cost      what the library itself executes in the runner per attempt
            (callgrind, real nextest, tests/bench/cgcost.py), untraced and with
            the runner-side semaphores raised, turned into CPU time at the
            runner's own measured rate (its user time / its instructions), plus
            the CPU time of one probe firing (tests/bench/firecost.c under
            bpftrace) times the firings per attempt; each over the tree's CPU
            time per attempt at -j 1, the default and -j 8.
  rss       runner RSS over --rss-stress x 1,000 attempts (-j 32): A, B, T.

The runner is real cargo-nextest when it is on PATH (run without cargo, from
binaries and cargo metadata made once, so cargo and rustc are not in the
measured tree), else the simulator; --runner picks one.
Usage: bench.py --lib LIB --sim SIM --build DIR [--rounds N] [--rss-stress K]
Writes DIR/results.md and prints it.  Root, perf, bpftrace, strace, valgrind.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "hardening"))
import tracer  # noqa: E402
import cgcost  # noqa: E402

WORKSPACE = os.path.join(ROOT, "tests", "fixtures", "workspace")
TARGET = os.path.join(ROOT, "build", "fixtures-target")
PROBES = ["run-start", "run-done", "test-attempt-start", "test-attempt-done", "test-attempt-slow",
          "setup-script-start", "setup-script-slow", "setup-script-done",
          "stress-sub-run-start", "stress-sub-run-done"]
EXTRA_RUNNER = ["attempt-rusage", "hung-stacks", "hung-thread", "hung-frame"]
EXTRA_CRASH = ["crash", "crash-frame"]
loads = []
SPAWN_TRUE = None
OWNCLOCK = None
FIRECOST = None


def note_load():
    loads.append(float(open("/proc/loadavg").read().split()[0]))


def env_for(preload):
    e = dict(os.environ, CARGO_TARGET_DIR=TARGET)
    e.pop("LD_PRELOAD", None)
    e.pop("NEXTEST_DOUBLE_SPAWN", None)
    if preload:
        e["LD_PRELOAD"] = preload
    return e


class Runner:
    """How to start a run without building: real cargo-nextest or the simulator."""

    def __init__(self, kind, sim, build):
        self.kind = kind
        if kind == "sim":
            self.base = [sim, "run", "--no-build"]
            self.label = "nextest-sim (the simulator, tests/sim)"
            return
        exe = shutil.which("cargo-nextest")
        ver = subprocess.run([exe, "nextest", "--version"], capture_output=True, text=True).stdout.strip()
        self.label = f"real {ver.splitlines()[0] if ver else 'cargo-nextest'} ({exe})"
        bj, mj = os.path.join(build, "binaries.json"), os.path.join(build, "cargo-metadata.json")
        env = env_for(None)
        subprocess.run(["cargo", "test", "--no-run", "--offline", "-q"], cwd=WORKSPACE, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(bj, "w") as f:
            subprocess.run([exe, "nextest", "list", "--list-type", "binaries-only", "--message-format",
                            "json"], cwd=WORKSPACE, env=env, stdout=f, stderr=subprocess.DEVNULL,
                           check=True)
        with open(mj, "w") as f:
            subprocess.run(["cargo", "metadata", "--format-version", "1", "--offline"], cwd=WORKSPACE,
                           env=env, stdout=f, stderr=subprocess.DEVNULL, check=True)
        self.base = [exe, "nextest", "run", "--binaries-metadata", bj, "--cargo-metadata", mj]

    def cmd(self, *args):
        return self.base + list(args)


def perf_run(cmd, env, out):
    """(task-clock ms, page faults, the runner's own CPU ms) of cmd's whole
    process tree.  The last comes from ownclock (cmd's own utime + stime, all
    its threads, read while it is a zombie), so the tree's CPU splits into the
    runner's part and its children's."""
    own = out + ".own"
    r = subprocess.run(["perf", "stat", "-x", ",", "-e", "task-clock,page-faults", "-o", out, "--",
                        OWNCLOCK, own, *cmd],
                       env=env, cwd=WORKSPACE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd} exited {r.returncode}")
    ms = faults = None
    for line in open(out):
        f = line.strip().split(",")
        if len(f) > 2 and f[2].startswith("task-clock"):
            ms = float(f[0])
        elif len(f) > 2 and f[2].startswith("page-faults"):
            faults = int(f[0])
    own_ms = float(open(own).read().split()[0])
    return ms, faults, own_ms


def own_user_ms(out):
    """The runner's user-space CPU time of the last perf_run(…, out)."""
    return float(open(out + ".own").read().split()[4])


class Tracer:
    """bpftrace attached by path to the given probes, counting firings."""

    def __init__(self, lib, probes, out):
        tracer.ensure_tracefs()
        prog = "\n".join(f'usdt:{lib}:{prov}:{p} {{ @[probe] = count(); }}' for prov, p in probes)
        prog += '\nBEGIN { printf("READY\\n"); }'
        self.out = open(out, "wb")
        self.path = out
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        self.p = subprocess.Popen(["bpftrace", "-e", prog], stdout=self.out, stderr=subprocess.STDOUT,
                                  env=env)
        for _ in range(3000):
            if b"READY" in open(out, "rb").read():
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("bpftrace not ready: " + open(out, "rb").read().decode(errors="replace"))

    def stop(self):
        self.p.send_signal(2)
        self.p.wait(timeout=600)
        self.out.close()
        text = open(self.path, "rb").read().decode(errors="replace")
        return {p: int(n) for p, n in re.findall(r"@\[usdt:[^\]]*:nextest(?:_extra)?:([a-z-]+)\]: (\d+)", text)}


def stats(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt_ratio(xs):
    m, lo, hi = stats(xs)
    return f"**{m:.3f}×** ({lo:.3f}–{hi:.3f})"


def fmt_delta(xs, digits=1):
    m, lo, hi = stats(xs)
    return f"**{m:+.{digits}f}** ({lo:+.{digits}f}…{hi:+.{digits}f})"


def part_whole(a, b, rows, runner, libs):
    attempts = 2000
    ten = [("nextest", p) for p in PROBES]
    runner_side = ten + [("nextest_extra", p) for p in EXTRA_RUNNER]
    all_probes = runner_side + [("nextest_extra", p) for p in EXTRA_CRASH]
    configs = [("A", None, None), ("E", libs["empty"], None), ("B", libs["untraced"], None),
               ("T", libs["traced"], runner_side), ("C", libs["crash"], all_probes)]
    jobs = [(j, [] if j == "default" else ["-j", j]) for j in a.jobs.split(",")]
    configs = [c for c in configs if c[0] in a.configs.split(",")]
    for jname, jargs in jobs:
        jname = "default -j" if jname == "default" else f"-j {jname}"
        cmd = runner.cmd(*jargs, "--run-ignored", "only", "--stress-count", "2", "many::")
        perf_run(cmd, env_for(None), os.path.join(b, "perf.txt"))       # warm-up
        res = {c[0]: [] for c in configs}
        fired = {}
        for r in range(a.rounds):
            order = configs[r % len(configs):] + configs[:r % len(configs)]   # rotate: no fixed position
            for name, pre, probes in order:
                note_load()
                tr = Tracer(pre, probes, os.path.join(b, "bpftrace.txt")) if probes else None
                ms, pf, own = perf_run(cmd, env_for(pre), os.path.join(b, "perf.txt"))
                if tr:
                    fired[name] = tr.stop()
                res[name].append((ms, pf, own))
        A = res["A"]
        def ratios(k):
            return [x[0] / y[0] for x, y in zip(res[k], A)]
        def faults(k):
            return [(x[1] - y[1]) / attempts for x, y in zip(res[k], A)]
        plain_ms = statistics.median(x[0] for x in A)
        rows.extend(whole_rows(a, jname, res, fired, ratios, faults, plain_ms, attempts))
        write_table(a, b, rows, runner, quiet=True)


def whole_rows(a, jname, res, fired, ratios, faults, plain_ms, attempts):
    head = f"{jname}, {a.rounds} pairs, no preload: {plain_ms / attempts * 1000:.0f} µs CPU per attempt"
    t = fired.get("T", {})
    spec = {
        "E": (f"whole tree, {head}: empty preloaded object (floor)", "—", ""),
        "B": (f"whole tree, {jname}: library, untraced", "≤ 1.01×, ≤ +1 fault/attempt", ""),
        "T": (f"whole tree, {jname}: ten probes + attempt-rusage and hung-* attached", "≤ 1.03×",
              f"; last run fired {t.get('test-attempt-done', 0)} test-attempt-done, "
              f"{t.get('attempt-rusage', 0)} attempt-rusage"),
        "C": (f"whole tree, {jname}: all probes incl. crash/crash-frame attached "
              "(library kept in every test)", "—", ""),
    }
    rows = []
    for k, (m, target, extra) in spec.items():
        if res.get(k):
            floor = ""
            if k != "E" and res.get("E"):
                # the same pairs against the empty object of their round: what is ours
                above = [x[0] / y[0] for x, y in zip(res[k], res["E"])]
                floor = f"; vs the floor {fmt_ratio(above)}"
            split = ""
            if k in ("B", "T"):
                # The tree's CPU split in two: the runner's own (where the library
                # works) and its children's.  The runner's extra CPU as a share of
                # the pair's tree is the library's cost with the children's noise
                # taken out: an untraced child holds no trace of the library.
                own = [100 * (x[2] - y[2]) / y[0] for x, y in zip(res[k], res["A"])]
                kids = [(x[0] - x[2]) / (y[0] - y[2]) for x, y in zip(res[k], res["A"])]
                split = (f"; the runner's own CPU {fmt_delta(own, 2)} % of the tree, "
                         f"its children's CPU {fmt_ratio(kids)}")
            rows.append((m, target, f"CPU {fmt_ratio(ratios(k))}{floor}{split}; page faults per attempt "
                                    f"{fmt_delta(faults(k))}{extra}"))
    return rows


def strace_runner(cmd, env, prefix):
    """Syscalls made by the runner process itself (all its threads, not its
    children): strace -ff writes one file per task; the runner's tasks are its
    main task and every task it created with CLONE_THREAD."""
    d = os.path.dirname(prefix)
    for f in os.listdir(d):
        if f.startswith(os.path.basename(prefix) + "."):
            os.unlink(os.path.join(d, f))
    subprocess.run(["strace", "-ff", "-qq", "-o", prefix, *cmd], env=env, cwd=WORKSPACE,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    files = {int(f.rsplit(".", 1)[1]): os.path.join(d, f) for f in os.listdir(d)
             if f.startswith(os.path.basename(prefix) + ".")}
    # The runner's main task: the one whose first line is the exec of the
    # command itself (pids may wrap, so not simply the smallest).
    want = f'execve("{cmd[0]}", ["{cmd[0]}"'
    main_tid = None
    for t, f in files.items():
        with open(f, errors="replace") as fh:
            first = fh.readline()
        if first.startswith(want) and "__double-spawn" not in first:
            main_tid = t
            break
    if main_tid is None:
        raise RuntimeError("strace -ff: no file starts with the runner's exec")
    threads, todo = set(), [main_tid]
    clone_rx = re.compile(r"^clone3?\((.*)\)\s+=\s+(\d+)")
    while todo:
        t = todo.pop()
        if t in threads or t not in files:
            continue
        threads.add(t)
        for line in open(files[t], errors="replace"):
            m = clone_rx.match(line)
            if m and "CLONE_THREAD" in m.group(1):
                todo.append(int(m.group(2)))
    per = {}
    for t in threads:
        for line in open(files[t], errors="replace"):
            m = re.match(r"^(\w+)\(", line)
            if m:
                per[m.group(1)] = per.get(m.group(1), 0) + 1
    for f in files.values():
        os.unlink(f)
    return sum(per.values()), per, len(threads)


def part_syscalls(a, b, rows, runner, libs):
    cmd = runner.cmd("--run-ignored", "only", "-j", "4", "many::")
    pre = os.path.join(b, "ff", "trace")
    os.makedirs(os.path.dirname(pre), exist_ok=True)
    deltas, names = [], {}
    for _ in range(max(1, a.rounds // 2)):
        ra, pa, _ = strace_runner(cmd, env_for(None), pre)
        rb, pb, _ = strace_runner(cmd, env_for(libs["untraced"]), pre)
        deltas.append((rb - ra) / 1000)
        for k in set(pa) | set(pb):
            names.setdefault(k, []).append(pb.get(k, 0) - pa.get(k, 0))
    fixed = {k: v[0] for k, v in names.items() if len(set(v)) == 1 and v[0]}
    rows.append((f"system calls made by the runner itself per attempt, untraced (strace -ff, 1,000 attempts, "
                 f"{len(deltas)} pairs)", "0 extra",
                 f"{fmt_delta(deltas, 3)}; the same difference in every pair: "
                 + (", ".join(f"{k} {v:+d}" for k, v in sorted(fixed.items())) or "none")
                 + " (once per run); the rest is waiting (futex, poll, …) that varies from run to run"))


def callgrind(cmd, env, out):
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    for line in open(out):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError("no callgrind summary")


def part_load(a, b, rows, runner, libs):
    st = SPAWN_TRUE
    n = 1000
    cases = [("none", None), ("empty", libs["empty"]), ("library", libs["untraced"])]
    instr = {k: callgrind(["/bin/true"], env_for(p), os.path.join(b, f"cg-true-{k}.out")) for k, p in cases}
    res = {k: [] for k, _ in cases}
    for r in range(a.rounds * 2):
        order = cases[r % 3:] + cases[:r % 3]
        for k, p in order:
            note_load()
            res[k].append(perf_run([st, str(n), "/bin/true"], env_for(p), os.path.join(b, "perf.txt")))
    base_ms = [x[0] for x in res["none"]]
    base_pf = [x[1] for x in res["none"]]
    for k in ("empty", "library"):
        us = [(x[0] - y) / n * 1000 for x, y in zip(res[k], base_ms)]
        pf = [(x[1] - y) / n for x, y in zip(res[k], base_pf)]
        floor = "" if k == "empty" else (
            f"; above the floor: {instr['library'] - instr['empty']:+,} instructions, "
            f"{statistics.median(x[1] - y[1] for x, y in zip(res['library'], res['empty'])) / n:+.1f} page faults")
        rows.append((f"load cost of one `/bin/true`, {'empty preloaded object (floor)' if k == 'empty' else 'the library'}"
                     f" ({len(us)} interleaved rounds of {n} spawns)", "—",
                     f"{instr['none']:,} → {instr[k]:,} instructions ({instr[k] - instr['none']:+,}); "
                     f"CPU per process {fmt_delta(us, 0)} µs; page faults per process {fmt_delta(pf)}{floor}"))


def part_instr(a, b, rows, runner, libs):
    # valgrind 3.19 does not know pidfd_open, which real nextest's runtime
    # needs: this row always uses the simulator.
    runner = Runner("sim", a.sim, b)
    res = []
    for label, pre in (("plain", None), ("library", libs["untraced"])):
        out = os.path.join(b, f"cg-runner-{label}.out")
        env = env_for(pre)
        env["NEXTEST_DOUBLE_SPAWN"] = "0"   # under valgrind /proc/self/exe is valgrind
        subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=no", f"--callgrind-out-file={out}",
                        *runner.cmd("--run-ignored", "only", "-j", "4", "many::")], env=env, cwd=WORKSPACE,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        res.append(next(int(l.split()[1]) for l in open(out) if l.startswith("summary:")))
    rows.append(("instructions of the runner process itself, untraced (callgrind, children not traced, "
                 "1,000 attempts, double spawn off; the simulator: valgrind cannot run real nextest)", "—",
                 f"{res[0]:,} → {res[1]:,} = {100 * (res[1] / res[0] - 1):+.2f} %, "
                 f"{(res[1] - res[0]) / 1000:+,.0f} per attempt"))


def copy_pair(src_lib, dst_dir):
    """The library and its engine copied into dst_dir (the library loads its engine
    from its own directory); the copy's library path.  A tracer attached by path to
    one copy raises the semaphores of that copy only."""
    os.makedirs(dst_dir, exist_ok=True)
    for name in ("libnextest_probes.so", "libnextest_probes_engine.so"):
        dst = os.path.join(dst_dir, name)
        shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(src_lib)), name), dst + ".tmp")
        os.replace(dst + ".tmp", dst)
    return os.path.join(dst_dir, "libnextest_probes.so")


def forced_copy(src_lib, dst_dir, probes):
    """A copy of the pair whose thin object has the semaphores of the given
    probes set to 1 in the file: loaded, it behaves as if a tracer were
    attached to them (JSON built, rusage taken, every guarded site run) but
    no uprobe is placed, so the sites are the nops they are in the file and
    valgrind can run it.  The firings' own cost is measured apart (firecost)."""
    lib = copy_pair(src_lib, dst_dir)
    sect = {}
    for line in subprocess.run(["readelf", "-SW", lib], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            sect[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    addr, off = sect[".probes"]
    want = {f"__usdt_sema_{prov}_{p.replace('-', '__')}" for prov, p in probes}
    found = {}
    for line in subprocess.run(["readelf", "-sW", lib], capture_output=True, text=True, check=True).stdout.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] in want:
            found[f[7]] = int(f[1], 16)
    if set(found) != want:
        raise RuntimeError(f"semaphores not found: {sorted(want - set(found))}")
    with open(lib, "r+b") as f:
        for a in found.values():
            f.seek(a - addr + off)
            f.write((1).to_bytes(2, "little"))
    return lib


def part_cost(a, b, rows, runner, libs):
    vlib, vbin = subprocess.run(["sh", os.path.join(HERE, "valgrind.sh")], capture_output=True, text=True,
                                check=True).stdout.split()
    hooked = re.findall(r"^\s+([a-z_0-9]+);", open(os.path.join(ROOT, "preload", "thin", "hook",
                                                                   "exports.map")).read(), re.M)
    runner_side = [("nextest", p) for p in PROBES] + [("nextest_extra", p) for p in EXTRA_RUNNER]
    forced = forced_copy(libs["untraced"], os.path.join(b, "forced"), runner_side)
    # A copy of the runner: a tracer attached by path to the installed one
    # (anyone's, on this machine) puts breakpoints in its code that valgrind
    # would run as traps.
    exe = os.path.join(b, "runner-copy", os.path.basename(runner.base[0]))
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    shutil.copyfile(runner.base[0], exe + ".tmp")
    os.chmod(exe + ".tmp", 0o755)
    os.replace(exe + ".tmp", exe)
    attempts = 1000
    sel = ["--run-ignored", "only", "many::"]
    base = [exe] + runner.base[1:]
    # Double spawn off under valgrind: there the runner's /proc/self/exe is
    # valgrind's.  The runner makes the same spawn, wait, read and write calls
    # per attempt either way (with double spawn its child is the stub, which
    # untraced holds no trace of the library), so the library's work is
    # measured once and set against both trees.
    def env(pre):
        e = env_for(pre)
        e["NEXTEST_DOUBLE_SPAWN"] = "0"
        return e
    def callgrind_runner(label, pre, jargs):
        out = os.path.join(b, f"cg-cost-{label}.out")
        e = env(pre)
        e["VALGRIND_LIB"] = vlib
        subprocess.run([vbin, "--tool=callgrind", "--trace-children=no", f"--callgrind-out-file={out}",
                        *base, *jargs, *sel], env=e, cwd=WORKSPACE,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return cgcost.library_cost(out, hooked)
    # The children do the same work with and without the library: the whole
    # tree under callgrind (every process followed), 100 attempts of one test
    # binary (valgrind's loader cannot start some of the fixture binaries
    # when traced into), no preload vs untraced.
    tree = {}
    for label, pre in (("none", None), ("untraced", libs["untraced"])):
        d = os.path.join(b, f"cg-tree-{label}")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        e = env(pre)
        e["VALGRIND_LIB"] = vlib
        subprocess.run([vbin, "--tool=callgrind", "--trace-children=yes",
                        f"--callgrind-out-file={d}/cg.%p.out", *base, "-j", "1", "--run-ignored", "only",
                        "-E", "binary(many)", "many::t00"], env=e, cwd=WORKSPACE,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        runner_ir = kids_ir = nkids = 0
        for f in os.listdir(d):
            head = open(os.path.join(d, f), errors="replace").read(4096)
            ir_f = int(re.search(r"^summary: (\d+)", head, re.M).group(1))
            if re.search(r"^cmd: +" + re.escape(exe) + " ", head, re.M):
                runner_ir += ir_f
            else:
                kids_ir += ir_f
                nkids += 1
        tree[label] = (runner_ir, kids_ir, nkids)
    (rn, kn, cn), (rb, kb, cb) = tree["none"], tree["untraced"]
    rows.append(("instructions of the whole tree, 100 attempts at -j 1 (callgrind following every process, "
                 "double spawn off), no preload → library untraced", "children unchanged",
                 f"children ({cn} → {cb} processes): {kn:,} → {kb:,} ({100 * (kb / kn - 1):+.3f} %); "
                 f"runner: {rn:,} → {rb:,} ({100 * (rb / rn - 1):+.2f} %, its scheduling varies run to run)"))
    # The firings per attempt, counted natively with the tracer attached.
    tr = Tracer(libs["traced"], runner_side, os.path.join(b, "bpftrace-cost.txt"))
    subprocess.run(base + ["-j", "1", *sel], env=env(libs["traced"]), cwd=WORKSPACE,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    fired = tr.stop()
    per_attempt_firings = sum(fired.values()) / attempts
    # One firing's CPU time: the loop with and without bpftrace attached.
    fc = []
    for _ in range(3):
        plain = float(subprocess.run([FIRECOST, "1000000"], capture_output=True, text=True,
                                     check=True).stdout.split()[0])
        p = subprocess.Popen([FIRECOST, "300000", "wait"], stdout=subprocess.PIPE, text=True)
        t = Tracer(FIRECOST, [("benchfire", "fire")], os.path.join(b, "bpftrace-fire.txt"))
        traced = float(p.communicate(timeout=600)[0].split()[0])
        t.stop()
        fc.append(traced - plain)
    fire_ns = statistics.median(fc)
    for jname in a.jobs.split(","):
        jargs = [] if jname == "default" else ["-j", jname]
        ir = {label: callgrind_runner(label, pre, jargs)
              for label, pre in (("none", None), ("untraced", libs["untraced"]), ("forced", forced))}
        # The runner's own rate (its user time over its instructions, the same
        # command without the library) and the tree's CPU time per attempt,
        # natively: with double spawn off as under valgrind, and on (nextest's
        # default: the stub is a second process per attempt, in both runs).
        tree_off, tree_on, user = [], [], []
        for _ in range(3):
            note_load()
            out = os.path.join(b, "perf-cost.txt")
            tree_off.append(perf_run(base + jargs + sel, env(None), out)[0])
            user.append(own_user_ms(out))
            tree_on.append(perf_run(base + jargs + sel, env_for(None), out)[0])
        off_ns = statistics.median(tree_off) * 1e6 / attempts
        on_ns = statistics.median(tree_on) * 1e6 / attempts
        ns_per_ir = statistics.median(user) * 1e6 / ir["none"]["summary"]
        lib_u = ir["untraced"]["total"] / attempts
        lib_t = ir["forced"]["total"] / attempts
        cost_u = lib_u * ns_per_ir
        cost_t = lib_t * ns_per_ir + per_attempt_firings * fire_ns
        jl = "default -j" if jname == "default" else f"-j {jname}"
        head = (f"the library's own work per attempt, {jl}: callgrind of the runner ({attempts:,} attempts, "
                f"double spawn off), at the runner's rate of {ns_per_ir:.2f} ns per instruction (its user time "
                f"over its instructions); over the tree's CPU per attempt, {off_ns / 1000:,.0f} µs with double "
                f"spawn off and {on_ns / 1000:,.0f} µs with it on (nextest's default), medians of 3")
        rows.append((head + "; untraced", "≤ 1.01×",
                     f"{lib_u:,.0f} instructions ({ir['untraced']['self'] / attempts:,.0f} in its objects, "
                     f"{ir['untraced']['calls'] / attempts:,.0f} in what they call) ≈ {cost_u / 1000:.1f} µs "
                     f"= **{1 + cost_u / off_ns:.4f}×** (double spawn off), "
                     f"**{1 + cost_u / on_ns:.4f}×** (on)"))
        rows.append((head + "; runner-side probes enabled", "≤ 1.03×",
                     f"{lib_t:,.0f} instructions ≈ {lib_t * ns_per_ir / 1000:.1f} µs, plus "
                     f"{per_attempt_firings:.2f} firings × {fire_ns / 1000:.2f} µs (one firing under bpftrace, "
                     f"firecost, median of 3) = {cost_t / 1000:.1f} µs = **{1 + cost_t / off_ns:.4f}×** "
                     f"(double spawn off), **{1 + cost_t / on_ns:.4f}×** (on)"))

def part_rss(a, b, rows, runner, libs):
    ten = [("nextest", p) for p in PROBES] + [("nextest_extra", p) for p in EXTRA_RUNNER]
    for label, pre, probes in (("no preload", None, None), ("library untraced", libs["untraced"], None),
                               ("library, ten probes + runner-side extras attached", libs["traced"], ten)):
        cmd = runner.cmd("--run-ignored", "only", "-j", "32", "--status-level", "fail",
                         "--final-status-level", "fail", "--stress-count", str(a.rss_stress), "many::")
        tr = Tracer(pre, probes, os.path.join(b, "bpftrace-rss.txt")) if probes else None
        p = subprocess.Popen(cmd, env=env_for(pre), cwd=WORKSPACE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples = []
        while p.poll() is None:
            try:
                for line in open(f"/proc/{p.pid}/status"):
                    if line.startswith("VmRSS:"):
                        samples.append(int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.5)
        if tr:
            tr.stop()
        q = max(1, len(samples) // 4)
        rows.append((f"runner RSS over {a.rss_stress * 1000:,} attempts (-j 32), {label}", "flat",
                     f"{statistics.median(samples[q:2 * q] or samples):,.0f} KiB (2nd-quarter median) → "
                     f"{statistics.median(samples[-q:]):,.0f} KiB (last quarter), max {max(samples):,} KiB, "
                     f"{len(samples)} samples"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--empty", required=True, help="an empty shared object (the floor)")
    ap.add_argument("--spawn-true", required=True)
    ap.add_argument("--ownclock", required=True, help="tests/bench/ownclock.c, built")
    ap.add_argument("--firecost", required=True, help="tests/bench/firecost.c, built")
    ap.add_argument("--runner", choices=["auto", "cargo-nextest", "sim"], default="auto")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rss-stress", type=int, default=100)
    ap.add_argument("--only", default="whole,syscalls,load,instr,cost,rss")
    ap.add_argument("--jobs", default="1,default,8", help="whole: -j values")
    ap.add_argument("--configs", default="A,E,B,T,C",
                    help="whole: A none, E empty object, B untraced, T traced, C with crash probes")
    a = ap.parse_args()
    b = os.path.abspath(a.build)
    os.makedirs(b, exist_ok=True)
    global SPAWN_TRUE, OWNCLOCK, FIRECOST
    SPAWN_TRUE = os.path.abspath(a.spawn_true)
    OWNCLOCK = os.path.abspath(a.ownclock)
    FIRECOST = os.path.abspath(a.firecost)
    # One copy of the pair per tracing state (copy_pair).
    libs = {"empty": os.path.abspath(a.empty)}
    for k in ("untraced", "traced", "crash"):
        libs[k] = copy_pair(a.lib, os.path.join(b, k))
    kind = a.runner
    if kind == "auto":
        kind = "cargo-nextest" if shutil.which("cargo-nextest") else "sim"
    a.sim = os.path.abspath(a.sim)
    runner = Runner(kind, a.sim, b)
    print(f"bench: runner {runner.label}", flush=True)
    rows = []
    parts = a.only.split(",")
    t0 = time.time()
    for part in ("whole", "syscalls", "load", "instr", "cost", "rss"):
        if part in parts:
            globals()[f"part_{part}"](a, b, rows, runner, libs)
            print(f"bench: {part} done ({time.time() - t0:.0f} s)", flush=True)
            write_table(a, b, rows, runner, quiet=True)     # what is done so far
    write_table(a, b, rows, runner)


def write_table(a, b, rows, runner, quiet=False):
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = (f"load average {min(loads):.1f}–{max(loads):.1f} (1-minute, sampled before each run)"
            if loads else "")
    head = (f"Runner: {runner.label}.  Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
            f"{load}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.  "
            f"Ratios: median of per-pair ratios (min–max); deltas: median (min…max).\n\n")
    table = "| measurement | target | result |\n|---|---|---|\n" + "".join(
        f"| {m} | {t} | {r} |\n" for m, t, r in rows)
    with open(os.path.join(b, "results.md"), "w") as f:
        f.write(head + table)
    if not quiet:
        print(head + table)


if __name__ == "__main__":
    main()
