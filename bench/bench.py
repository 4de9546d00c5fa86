#!/usr/bin/env python3
"""bench.py — the performance table of docs/performance.md.

Owns: measuring, in one run and interleaved (A/B/A/B…), the ratios the
project promises: untraced run overhead vs no shim, all-probes-traced
overhead, syscalls per attempt untraced, load cost in non-runner processes,
and runner RSS over many attempts.  Usage:
    bench.py --lib LIB --sim SIM --build DIR [--rounds N] [--rss-stress K]
Writes DIR/results.md (a Markdown table with medians and spreads) and prints it.
Needs root + bpftrace (traced runs), strace, valgrind.
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "hardening"))
import tracer  # noqa: E402

WORKSPACE = os.path.abspath(os.path.join(HERE, "..", "tests", "fixtures", "workspace"))
PROBES = ["run-start", "run-done", "test-attempt-start", "test-attempt-done", "test-attempt-slow",
          "setup-script-start", "setup-script-slow", "setup-script-done",
          "stress-sub-run-start", "stress-sub-run-done"]


def env_for(preload, target):
    e = dict(os.environ, CARGO_TARGET_DIR=target)
    e.pop("LD_PRELOAD", None)
    if preload:
        e["LD_PRELOAD"] = preload
    return e


def timed(cmd, env, cwd=None):
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{cmd} exited {r.returncode}")
    return dt


def ratio_stats(a, b):
    """Per-pair ratios b/a: median, min, max."""
    rs = [y / x for x, y in zip(a, b)]
    return statistics.median(rs), min(rs), max(rs)


class AllProbes:
    """bpftrace attached to all ten probes of lib, counting firings."""

    def __init__(self, lib, out):
        tracer.ensure_tracefs()
        prog = "\n".join(f'usdt:{lib}:nextest:{p} {{ @[probe] = count(); }}' for p in PROBES)
        prog += '\nBEGIN { printf("READY\\n"); }'
        self.out = open(out, "wb")
        self.path = out
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        self.p = subprocess.Popen(["bpftrace", "-e", prog], stdout=self.out, stderr=subprocess.STDOUT, env=env)
        for _ in range(3000):
            if b"READY" in open(out, "rb").read():
                return
            time.sleep(0.02)
        raise RuntimeError("bpftrace not ready")

    def stop(self):
        self.p.send_signal(2)
        self.p.wait(timeout=60)
        self.out.close()
        return open(self.path, "rb").read().decode(errors="replace")


def strace_calls(cmd, env, cwd, out):
    subprocess.run(["strace", "-f", "-c", "-o", out, *cmd], env=env, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    per = {}
    total = 0
    for line in open(out):
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
        if m:
            per[m.group(2)] = int(m.group(1))
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?total\s*$", line)
        if m:
            total = int(m.group(1))
    return total, per


def runner_syscalls(cmd, env, cwd, prefix):
    """Syscalls made by the runner process itself (all its threads, not its
    children): strace -ff writes one file per task; the runner's tasks are its
    main task and every task it created with CLONE_THREAD."""
    d = os.path.dirname(prefix)
    for f in os.listdir(d):
        if f.startswith(os.path.basename(prefix) + "."):
            os.unlink(os.path.join(d, f))
    p = subprocess.Popen(["strace", "-ff", "-qq", "-o", prefix, *cmd], env=env, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.wait()
    files = {int(f.rsplit(".", 1)[1]): os.path.join(d, f) for f in os.listdir(d)
             if f.startswith(os.path.basename(prefix) + ".")}
    # the runner's main task: the one that ran the first execve of the command
    main_tid = min(files)
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


def callgrind_instr(cmd, env, out):
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    for line in open(out):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError("no callgrind summary")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rss-stress", type=int, default=100)
    ap.add_argument("--only", default="time,traced,syscalls,load,instr,rss",
                    help="comma-separated parts: time traced syscalls load instr rss")
    a = ap.parse_args()
    b = os.path.abspath(a.build)
    os.makedirs(b, exist_ok=True)
    lib_u = os.path.join(b, "untraced", "libnextest_probes.so")
    lib_t = os.path.join(b, "traced", "libnextest_probes.so")
    for l in (lib_u, lib_t):
        os.makedirs(os.path.dirname(l), exist_ok=True)
        shutil.copyfile(a.lib, l + ".tmp")
        os.replace(l + ".tmp", l)
    target = os.path.abspath(os.path.join(HERE, "..", "build", "fixtures-target"))
    sim = os.path.abspath(a.sim)
    run2000 = [sim, "run", "--no-build", "--run-ignored", "only", "--stress-count", "2", "many::"]
    rows = []

    parts = set(a.only.split(","))
    # 1. untraced overhead, 2,000 attempts, A/B interleaved
    if "time" in parts:
        part_time(a, rows, run2000, target, lib_u)
    if "traced" in parts:
        part_traced(a, b, rows, run2000, target, lib_t)
    if "syscalls" in parts:
        part_syscalls(b, rows, sim, target, lib_u)
    if "load" in parts:
        part_load(a, b, rows, target, lib_u)
    if "instr" in parts:
        part_instr(b, rows, sim, target, lib_u)
    if "rss" in parts:
        part_rss(a, b, rows, sim, target, lib_u, lib_t)
    write_table(a, b, rows)


def part_time(a, rows, run2000, target, lib_u):
    A, B = [], []
    timed(run2000, env_for(None, target), WORKSPACE)     # warm-up
    for _ in range(a.rounds):
        A.append(timed(run2000, env_for(None, target), WORKSPACE))
        B.append(timed(run2000, env_for(lib_u, target), WORKSPACE))
    med, lo, hi = ratio_stats(A, B)
    rows.append(("untraced run, 2,000 trivial tests (fx-many x stress 2, default -j)", "<= 1.005x",
                 f"{med:.3f}x (pairs {lo:.3f}-{hi:.3f}); plain median {statistics.median(A):.2f} s"))



def part_traced(a, b, rows, run2000, target, lib_t):
    A, B = [], []
    for _ in range(a.rounds):
        A.append(timed(run2000, env_for(None, target), WORKSPACE))
        s = AllProbes(lib_t, os.path.join(b, "allprobes.txt"))
        B.append(timed(run2000, env_for(lib_t, target), WORKSPACE))
        counts = s.stop()
    fired = re.findall(r"@\[usdt:[^\]]*:nextest:([a-z-]+)\]: (\d+)", counts)
    med, lo, hi = ratio_stats(A, B)
    rows.append(("all ten probes traced (bpftrace, count per probe), same run", "<= 1.03x",
                 f"{med:.3f}x (pairs {lo:.3f}-{hi:.3f}); last traced run fired "
                 + ", ".join(f"{n} {p}" for p, n in fired)))



def part_syscalls(b, rows, sim, target, lib_u):
    run1000 = [sim, "run", "--no-build", "--run-ignored", "only", "-j", "4", "many::"]
    tot_a, per_a = strace_calls(run1000, env_for(None, target), WORKSPACE, os.path.join(b, "strace-plain.txt"))
    tot_b, per_b = strace_calls(run1000, env_for(lib_u, target), WORKSPACE, os.path.join(b, "strace-shim.txt"))
    t_a, _ = strace_calls(["/bin/true"], env_for(None, target), None, os.path.join(b, "strace-true-plain.txt"))
    t_b, per_tb = strace_calls(["/bin/true"], env_for(lib_u, target), None, os.path.join(b, "strace-true-shim.txt"))
    load = t_b - t_a
    diff = {k: per_b.get(k, 0) - per_a.get(k, 0) for k in set(per_a) | set(per_b)}
    diff = {k: v for k, v in diff.items() if abs(v) >= 20}
    rows.append(("syscalls per attempt, untraced (strace -f -c, 1,000 attempts, whole process tree)",
                 "0 extra (hooks)",
                 f"{(tot_b - tot_a) / 1000:+.2f} per attempt ({tot_a} -> {tot_b}); the loader adds "
                 f"{load} per process that loads the library (`true`: {t_a} -> {t_b}), and each attempt "
                 f"is 2 processes (double-spawn stub + test) = {2 * load} expected; by name: "
                 + ", ".join(f"{k} {v:+d}" for k, v in sorted(diff.items(), key=lambda kv: -abs(kv[1])))))

    # 3b. the runner alone (its threads, not its children): what the hooks add
    run500 = [sim, "run", "--no-build", "--run-ignored", "only", "-j", "4", "many::t0"]
    pre = os.path.join(b, "ff", "trace")
    os.makedirs(os.path.dirname(pre), exist_ok=True)
    ra, pa, na = runner_syscalls(run500, env_for(None, target), WORKSPACE, pre)
    rb, pb, nb = runner_syscalls(run500, env_for(lib_u, target), WORKSPACE, pre)
    d2 = {k: pb.get(k, 0) - pa.get(k, 0) for k in set(pa) | set(pb)}
    d2 = {k: v for k, v in d2.items() if v}
    rows.append(("syscalls per attempt made by the runner itself (its threads; strace -ff, 1,000 attempts "
                 "`many::t0`), untraced", "0 extra",
                 f"{(rb - ra) / 1000:+.3f} per attempt ({ra} -> {rb}; {na}/{nb} threads); by name: "
                 + (", ".join(f"{k} {v:+d}" for k, v in sorted(d2.items(), key=lambda kv: -abs(kv[1])))
                    or "identical")))



def part_load(a, b, rows, target, lib_u):
    st = os.path.join(b, "spawn_true")
    if not os.path.exists(st):
        subprocess.run(["cc", "-O2", "-o", st, os.path.join(HERE, "spawn_true.c")], check=True)
    A, B = [], []
    for _ in range(a.rounds):
        A.append(timed([st, "1000", "/bin/true"], env_for(None, target)))
        B.append(timed([st, "1000", "/bin/true"], env_for(lib_u, target)))
    med, lo, hi = ratio_stats(A, B)
    ia = callgrind_instr(["/bin/true"], env_for(None, target), os.path.join(b, "cg-plain.out"))
    ib = callgrind_instr(["/bin/true"], env_for(lib_u, target), os.path.join(b, "cg-shim.out"))
    rows.append(("load cost in a non-runner process (1,000 x `true`, wall time)", "<= 1.05x",
                 f"{med:.3f}x (pairs {lo:.3f}-{hi:.3f}); per `true` {statistics.median(A) / 1000 * 1e6:.0f} us "
                 f"-> {statistics.median(B) / 1000 * 1e6:.0f} us"))
    rows.append(("load cost, instructions of one `true` (callgrind, noise-free)", "<= 1.05x",
                 f"{ib / ia:.3f}x ({ia} -> {ib} instructions)"))



def part_instr(b, rows, sim, target, lib_u):
    """Instructions of the runner process itself (callgrind, children not
    traced; double spawn off, since under valgrind /proc/self/exe is valgrind)."""
    cmd = ["valgrind", "--tool=callgrind", "--trace-children=no", None,
           sim, "run", "--no-build", "--run-ignored", "only", "-j", "4", "many::t0"]
    res = []
    for label, pre in (("plain", None), ("shim", lib_u)):
        out = os.path.join(b, f"cg-runner-{label}.out")
        cmd[3] = f"--callgrind-out-file={out}"
        env = env_for(pre, target)
        env["NEXTEST_DOUBLE_SPAWN"] = "0"
        subprocess.run(cmd, env=env, cwd=WORKSPACE, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        res.append(next(int(l.split()[1]) for l in open(out) if l.startswith("summary:")))
    rows.append(("runner CPU untraced: instructions of the runner process for 1,000 attempts "
                 "(callgrind, children not traced)", "-",
                 f"{res[0]} -> {res[1]} = {100 * (res[1] / res[0] - 1):+.2f} %, "
                 f"{(res[1] - res[0]) / 1000:+.0f} instructions per attempt"))


def part_rss(a, b, rows, sim, target, lib_u, lib_t):
    def rss_run(preload, stress, traced):
        cmd = [sim, "run", "--no-build", "--run-ignored", "only", "-j", "32", "--status-level", "fail",
               "--final-status-level", "fail", "--stress-count", str(stress), "many::"]
        s = AllProbes(lib_t, os.path.join(b, "rss-trace.txt")) if traced else None
        p = subprocess.Popen(cmd, env=env_for(preload, target), cwd=WORKSPACE,
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
        if s:
            s.stop()
        q = max(1, len(samples) // 4)
        return samples[q:2 * q] and statistics.median(samples[q:2 * q]), statistics.median(samples[-q:]), max(samples)

    for label, pre, traced in (("no shim", None, False), ("shim untraced", lib_u, False),
                               ("shim, all probes traced", lib_t, True)):
        e, l, m = rss_run(pre, a.rss_stress, traced)
        rows.append((f"runner RSS over {a.rss_stress * 1000:,} attempts (-j 32), {label}", "flat",
                     f"{e:.0f} KiB (2nd quarter median) -> {l:.0f} KiB (last quarter), max {m} KiB"))



def write_table(a, b, rows):
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    head = (f"Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}; "
            f"{a.rounds} interleaved rounds; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n")
    table = "| measurement | target | result |\n|---|---|---|\n" + "".join(
        f"| {m} | {t} | {r} |\n" for m, t, r in rows)
    with open(os.path.join(b, "results.md"), "w") as f:
        f.write(head + table)
    print(head + table)


if __name__ == "__main__":
    main()
