"""compare: runs the same scenarios under real cargo-nextest and under nextest-sim with the
call logger (calllog.c) preloaded, normalises what legitimately differs, and fails on any
other difference in how the two runners drive their children and what they print.

Owns: the protocol scenarios, the normal form of a call log, and the diff.  The pytest
cases (one per scenario, its differences as the failure) are test_protocol.py:
    pytest tests/protocol --calllog build/protocol/libcalllog.so
           --sim build/sim-target/release/nextest-sim [--out build/protocol/runs] [-k SCENARIO]
Needs real cargo-nextest on PATH (the version the simulator models).

Normal form (what is compared, per run):
  * children: every spawn, keyed by what it is: a test attempt (binary id, test name,
    attempt, stress index), a list child (binary, --ignored or not), a setup script
    (argv) or another command (argv).  Per child: the spawn function, argv, attribute
    flags, process group, signal defaults and mask, file actions (stdio wired to which
    pipe end), the spawning thread's signal mask, the environment the runner adds or
    changes (every key, values with the run id and temp paths masked); the spawning
    thread's calls up to the next spawn (pipe ends closed, non-blocking set, pidfd
    opened, mask restored) in order; the wait calls (function, options, result; repeated
    "still running" polls collapsed); the signals sent to it (pid or process group, signal)
    in order; per pipe end, the reads collapsed to data/EAGAIN/EOF; and the order of the
    milestones kill* → {reap, EOF of each pipe} (as a set: which comes first is the
    kernel's scheduling) → closes of the read ends and the pidfd, in order.
  * the signal dispositions the runner installs (signal, handler kind, flags, in order).
  * the bytes the runner writes to fd 1 and fd 2 (masked like tests/e2e/mask.py; lines
    compared sorted for runs with several tests in flight), and its exit code.
Not compared (and why): pids, fd numbers, thread ids, timestamps (relabelled or
scheduling); read sizes (buffering of the async runtime); the order of events of
different children (concurrency); cargo's own build commands' pipes (cargo's business).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import fixtures  # noqa: E402
import mask  # noqa: E402
import scenarios  # noqa: E402

RUN_ID = "d2c6a1f4-7e3b-4c55-9a0e-5b1f0c9e8a21"
J1 = ["-j", "1"]


class P:
    """A protocol scenario: runner args after `run`, env, signals, output compare mode."""

    def __init__(self, name, args, env=None, actions=(), compare="exact", timeout=120):
        self.name, self.args, self.env = name, args, env or {}
        self.actions, self.compare, self.timeout = list(actions), compare, timeout


def from_e2e(name, rename=None):
    s = scenarios.BY_NAME[name]
    return P(rename or name, s.args, s.env, s.actions, s.compare, s.timeout)


SCENARIOS = [
    from_e2e("basic-j1"),
    from_e2e("basic"),
    from_e2e("fail"),
    from_e2e("retries"),
    from_e2e("slow"),
    from_e2e("terminate"),
    from_e2e("grace0"),
    from_e2e("leak"),
    from_e2e("scripts"),
    from_e2e("scripts-fail"),
    from_e2e("libtest-json"),
    # at -j 1: with tests in flight nextest's libtest reporter closes a binary's suite whenever
    # none of its tests is running (and opens it again), which is scheduling
    P("libtest-json-plus-j1", J1 + scenarios.BY_NAME["libtest-json-plus"].args,
      scenarios.BY_NAME["libtest-json-plus"].env),
    from_e2e("nocapture"),
    from_e2e("color"),
    from_e2e("hostile"),
    from_e2e("failfast"),
    from_e2e("retries-flag"),
    from_e2e("slow-retries"),
    from_e2e("timeout-pass"),
    from_e2e("leak-fail"),
    from_e2e("status-none"),
    from_e2e("groups"),
    from_e2e("scripts-malformed"),
    from_e2e("scripts-reserved"),
    from_e2e("scripts-slow"),
    from_e2e("scripts-hang"),
    from_e2e("no-double-spawn"),
    from_e2e("stress-count"),
    # Ctrl-C 0.3 s after slow_2500ms was spawned (not at a fixed time from the start: how long
    # the build and list phases take differs, and at 1 s the test prints a SLOW line)
    P("ctrl-c", scenarios.BY_NAME["ctrl-c"].args, actions=[("spawned:slow_2500ms", 0.3, "SIGINT")]),
]
BY_NAME = {s.name: s for s in SCENARIOS}

SIG = {getattr(signal, n): n for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_")
       and isinstance(getattr(signal, n), int)}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def signame(n):
    return SIG.get(n, str(n)).replace("SIGIOT", "SIGABRT")


def sigs(lst):
    return "{" + ",".join(signame(s) for s in lst) + "}"


def load(path):
    recs = []
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            try:
                recs.append(json.loads(line.decode("utf-8", "surrogateescape")))
            except ValueError as e:
                raise RuntimeError(f"{path}:{i + 1}: unreadable record: {e}")
    return recs


class Normaliser:
    def __init__(self, ctx, parallel=False):
        self.ctx = ctx   # [(literal, replacement)] for paths
        self.parallel = parallel

    def text(self, s):
        for lit, rep in self.ctx:
            s = s.replace(lit, rep)
        s = UUID.sub("<UUID>", s)
        s = re.sub(r"/tmp/nextest-env[A-Za-z0-9_]+", "/tmp/nextest-env<TMP>", s)
        return s


def env_map(entries):
    out = {}
    for e in entries:
        k, _, v = e.partition("=")
        out[k] = v
    return out


def child_key(rec, env, norm):
    argv = rec.get("argv") or []
    phase = env.get("NEXTEST_TEST_PHASE")
    if phase == "run":
        return ("test", env.get("NEXTEST_BINARY_ID"), env.get("NEXTEST_TEST_NAME"),
                env.get("NEXTEST_ATTEMPT"), env.get("NEXTEST_STRESS_CURRENT"))
    if phase == "list":
        return ("list", env.get("NEXTEST_BINARY_ID") or norm.text(" ".join(argv[3:4])),
                "--ignored" in " ".join(argv))
    if "NEXTEST_ENV" in env:
        return ("script",) + tuple(norm.text(a) for a in argv)
    return ("other",) + tuple(norm.text(a) for a in argv)


def key_str(k):
    if k[0] == "test":
        s = f"test {k[1]} {k[2]} attempt {k[3]}"
        return s + (f" stress {k[4]}" if k[4] not in (None, "none") else "")
    if k[0] == "list":
        return f"list {k[1]}" + (" --ignored" if k[2] else "")
    return k[0] + " " + " ".join(k[1:])


class Child:
    def __init__(self, key, spawn):
        self.key, self.spawn = key, spawn
        self.pid = spawn.get("pid")
        self.ends = {}       # pipe label -> name (stdout.r, stderr.w, combined.r …)
        self.pidfds = set()
        self.prologue = []   # normalised spawn-thread calls after the spawn
        self.waits, self.kills, self.reads, self.milestones = [], [], {}, []
        self.forked = []     # fork-child calls (fork path)


def analyse(recs, norm):
    """Returns (children {key: Child}, global facts)."""
    children, by_pid, by_label = {}, {}, {}
    pending_pipes = {}        # tid -> [pipe records since the last spawn on that tid]
    open_prologue = {}        # tid -> Child whose spawn-thread calls are being collected
    fork_parent = {}          # fork child pid -> pending exec record list
    facts = {"sigaction": [], "other_mask": [], "out": {1: b"", 2: b""}}
    dup_of = {}

    def end_name(label):
        return by_label.get(label)

    for r in recs:
        ev, tid = r["ev"], r["tid"]
        if r.get("child"):   # a fork child's calls before exec
            fork_parent.setdefault(r["child"], []).append(r)
            if ev in ("execvp", "execve", "execv", "execvpe"):
                env = env_map(r.get("env") or [])
                k = child_key(r, env, norm)
                c = Child(k, r)
                c.pid = r["child"]
                c.fn = "fork+" + ev
                c.forked = fork_parent[r["child"]]
                children.setdefault(k, []).append(c)
                by_pid[c.pid] = c
            continue
        if ev in ("pipe", "pipe2"):
            pending_pipes.setdefault(tid, []).append(r)
            open_prologue.pop(tid, None)
            continue
        if ev == "fcntl" and r["cmd"] in (0, 1030) and r.get("fd_label"):
            dup_of[r["rc"]] = r["fd_label"]
            continue
        if ev in ("posix_spawn", "posix_spawnp"):
            env = env_map(r.get("env") or [])
            k = child_key(r, env, norm)
            c = Child(k, r)
            c.fn = ev
            children.setdefault(k, []).append(c)
            if r.get("pid"):
                by_pid[r["pid"]] = c
            # name the pipe ends by where their write end goes
            names = {}
            for fa in r.get("file_actions") or []:
                if fa["op"] == "dup2" and fa.get("fd_label") and fa["newfd"] in (1, 2):
                    names.setdefault(fa["fd_label"] // 2, []).append({1: "stdout", 2: "stderr"}[fa["newfd"]])
            for pr in pending_pipes.pop(tid, []):
                k2 = pr.get("r_label", 0) // 2
                nm = names.get(k2)
                base = "combined" if nm and len(nm) == 2 else (nm[0] if nm else "unused")
                by_label[pr.get("r_label")] = (c, base + ".r")
                by_label[pr.get("w_label")] = (c, base + ".w")
                c.ends[base] = pr
            open_prologue[tid] = c
            continue
        if ev == "fork":
            if r["rc"] > 0:
                pending_pipes.pop(tid, None)
            continue
        if ev == "pidfd_open":
            c = by_pid.get(r["arg"])
            if c and r.get("rc_label"):
                by_label[r["rc_label"]] = (c, "pidfd")
                c.pidfds.add(r["rc_label"])
            if c and open_prologue.get(tid) is c:
                c.prologue.append(f"pidfd_open(pid, flags={r['flags']:#x})")
                if 20 not in c.spawn.get("thread_mask", []):
                    open_prologue.pop(tid)   # no SIGTSTP to unblock: the spawn sequence ends here
            continue
        if ev in ("pthread_sigmask", "sigprocmask"):
            how = {0: "BLOCK", 1: "UNBLOCK", 2: "SETMASK"}.get(r["how"], r["how"])
            txt = f"{ev}({how}, {sigs(r['set'])})"
            c = open_prologue.get(tid)
            if c:
                c.prologue.append(txt)
                if r["how"] == 1:
                    open_prologue.pop(tid)
            elif 20 in r["set"] and r["how"] == 0:
                pass  # the block before the next spawn shows in that spawn's thread_mask
            else:
                facts["other_mask"].append(txt)
            continue
        if ev in ("sigaction", "signal"):
            if ev == "sigaction":
                facts["sigaction"].append(f"sigaction({signame(r['sig'])}, {r['handler']}, flags={r['flags']:#x})")
            else:
                facts["sigaction"].append(f"signal({signame(r['sig'])}, {r['handler']})")
            continue
        if ev == "out":
            facts["out"][r["fd"]] += r["data"].encode("utf-8", "surrogateescape")
            continue
        label = r.get("fd_label") or dup_of.get(r.get("fd"))
        if ev == "fcntl" or ev == "ioctl_fionbio":
            ent = end_name(label)
            if ent:
                c, nm = ent
                what = (f"fcntl({nm}, F_SETFL, {r['arg']:#x})" if ev == "fcntl" and r["cmd"] == 4 else
                        f"fcntl({nm}, cmd={r['cmd']}, {r['arg']:#x})" if ev == "fcntl" else
                        f"ioctl({nm}, FIONBIO, {r['on']})")
                if open_prologue.get(tid) is c:
                    c.prologue.append(what)
                else:
                    c.milestones.append(what)
            continue
        if ev == "close":
            ent = end_name(label)
            if ent:
                c, nm = ent
                if open_prologue.get(tid) is c:
                    c.prologue.append(f"close({nm})")
                elif c.spawn.get("pid") or c.pid:
                    c.milestones.append(f"close({nm})")
            continue
        if ev == "read":
            ent = end_name(label)
            if ent:
                c, nm = ent
                kind = "EOF" if r["rc"] == 0 else "data" if r["rc"] > 0 else (
                    "EAGAIN" if r.get("errno") == 11 else f"errno {r.get('errno')}")
                seq = c.reads.setdefault(nm, [])
                if kind == "EAGAIN":
                    continue   # whether the child had written more yet: scheduling
                if not seq or seq[-1] != kind:
                    seq.append(kind)
                if kind == "EOF":
                    c.milestones.append(("end", f"EOF({nm})"))
            continue
        if ev in ("waitpid", "wait4", "waitid", "wait"):
            pid = r.get("arg")
            if ev == "waitid":
                if r["idtype"] == 3:  # P_PIDFD
                    ent = end_name(r.get("arg_label"))
                    c = ent[0] if ent else None
                else:
                    c = by_pid.get(pid)
                res = ("running" if r["rc"] == 0 and not r.get("si_pid") else
                       f"si_code={r.get('si_code')} status={r.get('si_status')}" if r["rc"] == 0 else
                       f"error {r.get('errno')}")
            else:
                c = by_pid.get(pid) or by_pid.get(r.get("rc"))
                res = ("running" if r["rc"] == 0 else
                       f"error {r.get('errno')}" if r["rc"] < 0 else
                       "exited %d" % r["exited"] if "exited" in r else
                       "signaled %s" % signame(r["signaled"]) if "signaled" in r else "?")
            if c is None:
                facts.setdefault("stray_waits", []).append(f"{ev}(arg={pid}) -> {r['rc']}")
                continue
            arg = "pid" if pid == c.pid else "-1" if pid == -1 else str(pid)
            txt = f"{ev}({arg if ev != 'waitid' else 'P_%s' % {1: 'PID', 3: 'PIDFD', 0: 'ALL'}.get(r['idtype'])}, options={r['options']:#x}) -> {res}"
            if not c.waits or c.waits[-1] != txt:
                c.waits.append(txt)
            if res != "running":
                c.milestones.append(("end", "reaped"))
            continue
        if ev == "kill":
            pid = r["arg"]
            c = by_pid.get(abs(pid)) if pid not in (0, -1) else None
            txt = f"kill({'-pgid' if pid < 0 else 'pid'}, {signame(r['sig'])})"
            if c:
                c.kills.append(txt)
                c.milestones.append(txt)
            else:
                facts.setdefault("kills", []).append(f"kill({pid}, {signame(r['sig'])})")
            continue
        if ev == "pidfd_send_signal":
            ent = end_name(label)
            if ent:
                ent[0].kills.append(f"pidfd_send_signal({signame(r['sig'])})")
                ent[0].milestones.append(f"pidfd_send_signal({signame(r['sig'])})")
            continue
    return children, facts


def child_form(c, norm):
    """The comparable description of one child: list of (aspect, text)."""
    s = c.spawn
    out = []
    fn = c.fn
    out.append(("spawn", fn))
    out.append(("argv", json.dumps([norm.text(a) for a in s.get("argv") or []], ensure_ascii=False)))
    if fn.startswith("posix_spawn"):
        at = s.get("attr") or {}
        flags = at.get("flags", 0)
        names = [n for b, n in ((1, "RESETIDS"), (2, "SETPGROUP"), (4, "SETSIGDEF"), (8, "SETSIGMASK"),
                                (16, "SETSCHEDPARAM"), (32, "SETSCHEDULER"), (64, "USEVFORK"),
                                (128, "SETSID")) if flags & b]
        out.append(("attr", "|".join(names) + (f" pgroup={at['pgroup']}" if "pgroup" in at else "")
                    + (f" sigdefault={sigs(at['sigdefault'])}" if "sigdefault" in at else "")
                    + (f" sigmask={sigs(at['sigmask'])}" if "sigmask" in at else "")))
        fas = []
        for fa in s.get("file_actions") or []:
            if fa["op"] == "dup2":
                lbl = fa.get("fd_label")
                ent = None
                for base in c.ends:
                    pr = c.ends[base]
                    if lbl in (pr.get("w_label"), pr.get("r_label")):
                        ent = base + (".w" if lbl == pr.get("w_label") else ".r")
                fas.append(f"dup2({ent or 'non-pipe fd'}, {fa['newfd']})")
            elif fa["op"] == "chdir":
                fas.append(f"chdir({norm.text(fa['path'])})")
            elif fa["op"] == "open":
                fas.append(f"open({fa['fd']}, {norm.text(fa['path'])}, {fa['oflag']:#x})")
            else:
                fas.append(f"{fa['op']}({fa.get('fd')})")
        out.append(("file_actions", ", ".join(fas)))
    else:
        steps = []
        for r in c.forked:
            ev = r["ev"]
            if ev == "fork":
                steps.append(f"fork(mask {sigs(r.get('thread_mask', []))})")
            elif ev == "dup2":
                steps.append(f"dup2({'pipe' if r.get('fd_label') else 'non-pipe fd'}, {r['newfd']})")
            elif ev == "chdir":
                steps.append(f"chdir({norm.text(r['path'])})")
            elif ev == "setpgid":
                steps.append(f"setpgid({r['arg']}, {r['pgid']})")
            elif ev in ("signal", "sigaction"):
                steps.append(f"{ev}({signame(r['sig'])}, {r['handler']})")
            elif ev in ("pthread_sigmask", "sigprocmask"):
                steps.append(f"{ev}({r['how']}, {sigs(r['set'])})")
        out.append(("fork child", ", ".join(steps)))
    out.append(("mask at spawn", sigs(s.get("thread_mask", []))))
    env = env_map(s.get("env") or [])
    for k in sorted(env):
        val = norm.text(env[k])
        if k == "NEXTEST_TEST_GROUP_SLOT" and norm.parallel and val.isdigit():
            val = "<slot>"   # as the global slot: which one is free is scheduling
        if k == "NEXTEST_TEST_GLOBAL_SLOT" and norm.parallel:
            # with several tests in flight, which slot is free is a matter of which test ended
            # first; what must hold is a slot below the thread count
            ok = val.isdigit() and int(val) < int(env.get("NEXTEST_TEST_THREADS", "0"))
            val = "<slot below NEXTEST_TEST_THREADS>" if ok else f"{val} (not below NEXTEST_TEST_THREADS)"
        out.append((f"env {k}", val))
    for k in sorted(s.get("env_removed") or []):
        out.append((f"env {k}", "<removed>"))
    out.append(("pipes", " ".join(f"{b}:{'pipe2(%#x)' % c.ends[b]['flags'] if c.ends[b]['ev'] == 'pipe2' else 'pipe'}"
                                  for b in sorted(c.ends))))
    out.append(("spawning thread after spawn", ", ".join(c.prologue)))
    out.append(("waits", ", ".join(c.waits)))
    out.append(("signals sent", ", ".join(c.kills)))
    for nm in sorted(c.reads):
        out.append((f"reads {nm}", " ".join(x for x in c.reads[nm])))
    # milestones: kills/closes in order; the reap and EOFs between two of them as a set
    # the pidfd goes with the reap (tokio drops it when the child is reaped)
    closes = [m for m in c.milestones if isinstance(m, str) and m.startswith("close(")]
    if "close(pidfd)" in closes:
        first_r = next((i for i, m in enumerate(closes) if m.endswith(".r)")), len(closes))
        out.append(("pidfd closed", "before the read ends" if closes.index("close(pidfd)") < first_r
                    else "after the read ends"))
    ms, group = [], []
    for m in [m for m in c.milestones if m != "close(pidfd)"]:
        if isinstance(m, tuple):
            group.append(m[1])
        else:
            if group:
                ms.append("{" + ", ".join(sorted(set(group))) + "}")
                group = []
            ms.append(m)
    if group:
        ms.append("{" + ", ".join(sorted(set(group))) + "}")
    out.append(("order", " → ".join(ms)))
    return out


def diff_children(real, sim, norm_r, norm_s):
    """Differences, each printed once with the children it concerns."""
    lines, grouped = [], {}
    keys = list(dict.fromkeys(list(real) + list(sim)))
    for k in keys:
        rl, sl = real.get(k, []), sim.get(k, [])
        if k[0] == "other":
            continue
        if len(rl) != len(sl):
            lines.append(f"{key_str(k)}: spawned {len(rl)}× by nextest, {len(sl)}× by the simulator")
            continue
        for i, (rc, sc) in enumerate(zip(rl, sl)):
            rf, sf = dict(child_form(rc, norm_r)), dict(child_form(sc, norm_s))
            for asp in dict.fromkeys(list(rf) + list(sf)):
                a, b = rf.get(asp), sf.get(asp)
                if a != b:
                    name = key_str(k) + (" #%d" % (i + 1) if len(rl) > 1 else "")
                    grouped.setdefault((asp, a, b), []).append(name)
    for (asp, a, b), names in grouped.items():
        who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines.append(f"{asp} ({who}):\n"
                     f"        nextest:   {a if a is not None else '(absent)'}\n"
                     f"        simulator: {b if b is not None else '(absent)'}")
    # other commands (cargo, rustc): the same commands, spawned the same way
    ro = sorted((key_str(k), c.fn) for k in real if k[0] == "other" for c in real[k])
    so = sorted((key_str(k), c.fn) for k in sim if k[0] == "other" for c in sim[k])
    if ro != so:
        lines.append("other commands differ:\n        nextest:   " + "; ".join(f"{fn} {k}" for k, fn in ro)
                     + "\n        simulator: " + "; ".join(f"{fn} {k}" for k, fn in so))
    return lines


def compare_run(s, real, sim, ctx_r, ctx_s):
    """The differences between two runs: (exit code, stdout, stderr, call log) each."""
    problems = []
    par = s.compare != "exact"
    nr, ns = Normaliser(ctx_r, par), Normaliser(ctx_s, par)
    (rrc, _, _, rlog), (src, _, _, slog) = real, sim
    if not rlog:
        problems.append("nextest wrote no call log (logger not loaded in the runner?)")
    if not slog:
        problems.append("the simulator wrote no call log")
    if rrc != src:
        problems.append(f"exit code: nextest {rrc}, simulator {src}")
    if rlog and slog:
        rch, rf = analyse(rlog, nr)
        sch, sf = analyse(slog, ns)
        problems += diff_children(rch, sch, nr, ns)
        if rf["sigaction"] != sf["sigaction"]:
            problems.append("signal dispositions installed:\n        nextest:   " + ", ".join(rf["sigaction"])
                            + "\n        simulator: " + ", ".join(sf["sigaction"]))
        for fd, name in ((1, "stdout"), (2, "stderr")):
            x = mask.compare(rf["out"][fd], sf["out"][fd], s.compare)
            if x:
                problems.append(f"{name} lines ({s.compare}): {x}")
    return problems


# The comparer's own check, on the logs of these scenarios once they compared equal: each
# mutation of the simulator's log, a drift the check exists to catch, must be reported.
SELFTEST_ON = ("basic-j1", "terminate")


def _mutations(log):
    """(what, mutated copy of the log) for the drifts the check must catch."""
    def spawn_of(r, name):
        return r["ev"].startswith("posix_spawn") and any(name in a for a in r.get("argv") or [])

    def mutate(what, pred, fn):
        out, done = [], False
        for r in log:
            r = json.loads(json.dumps(r))
            if not done and pred(r):
                done = fn(r) is not False
            out.append(r)
        return (what, out) if done else (what + " (nothing to mutate)", None)

    yield mutate("spawn without SETPGROUP", lambda r: spawn_of(r, "--exact"),
                 lambda r: r["attr"].update(flags=r["attr"]["flags"] & ~2))
    yield mutate("NEXTEST_ATTEMPT missing", lambda r: spawn_of(r, "--exact"),
                 lambda r: r.update(env=[e for e in r["env"] if not e.startswith("NEXTEST_ATTEMPT=")]))
    yield mutate("argv without __double-spawn", lambda r: spawn_of(r, "--exact"),
                 lambda r: r.update(argv=[a for a in r["argv"] if a != "__double-spawn"]))
    yield mutate("SIGTSTP not blocked at spawn", lambda r: spawn_of(r, "--exact"),
                 lambda r: r.update(thread_mask=[]))
    yield mutate("SIGKILL instead of SIGTERM", lambda r: r["ev"] == "kill" and r["sig"] == 15,
                 lambda r: r.update(sig=9))
    yield mutate("the Starting line changed", lambda r: r["ev"] == "out" and "Starting" in r["data"],
                 lambda r: r.update(data=r["data"].replace("Starting", "Startinq", 1)))
    yield mutate("no pidfd", lambda r: r["ev"] == "pidfd_open",
                 lambda r: r.update(ev="pidfd_open_other"))


def selftest(s, real, sim, ctx_r, ctx_s):
    problems = []
    for what, mutated in _mutations(sim[3]):
        if mutated is None:
            if not (what.startswith("SIGKILL") and s.name == "basic-j1"):   # no kill without timeouts
                problems.append(f"selftest: {what}")
            continue
        if not compare_run(s, real, (sim[0], sim[1], sim[2], mutated), ctx_r, ctx_s):
            problems.append(f"selftest: the drift '{what}' of the simulator's log was not reported")
    return problems


def after_spawn(log, name, delay, sig, p):
    """Sends `sig` to the runner's process group `delay` seconds after the call log shows the
    spawn of a test whose argv names `name`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        try:
            with open(log, "rb") as f:
                if any(b'"ev":"posix_spawn' in l and name.encode() in l for l in f):
                    break
        except OSError:
            pass
        time.sleep(0.02)
    time.sleep(delay)
    if p.poll() is None:
        os.killpg(p.pid, sig)


def run_one(cmd, env, cwd, actions, timeout):
    with subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as p:
        timers = []
        for act in actions:
            if len(act) == 3:   # ("spawned:<test>", delay, signal)
                timers.append(threading.Thread(target=after_spawn, daemon=True, args=(
                    env["CALLLOG_FILE"], act[0].split(":", 1)[1], act[1], getattr(signal, act[2]), p)))
            else:
                timers.append(threading.Timer(act[0], lambda s=getattr(signal, act[1]): os.killpg(p.pid, s)))
        for t in timers:
            t.start()
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
        finally:
            for t in timers:
                if hasattr(t, "cancel"):
                    t.cancel()
    return p.returncode, out, err


def run_scenario(s, real, sim, calllog, base_env, out):
    """Both runners on scenario `s` with the call logger; returns the differences."""
    d = os.path.join(out, s.name)
    os.makedirs(d, exist_ok=True)
    res = {}
    for side, cmd in (("nextest", [real, "nextest", "run"] + s.args),
                      ("sim", [sim, "nextest", "run"] + s.args)):
        log = os.path.join(d, f"{side}.calllog.jsonl")
        if os.path.exists(log):
            os.unlink(log)
        env = dict(base_env, **s.env, CALLLOG_FILE=log, LD_PRELOAD=calllog)
        rc, so, se = run_one(cmd, env, fixtures.WORKSPACE, s.actions, s.timeout)
        for nm, data in (("stdout", so), ("stderr", se)):
            with open(os.path.join(d, f"{side}.{nm}"), "wb") as f:
                f.write(data)
        res[side] = (rc, so, se, load(log) if os.path.exists(log) else [])
    ctx_r = [(real, "<RUNNER>"), (fixtures.TARGET, "<TARGET>"), (fixtures.WORKSPACE, "<WS>"),
             (calllog, "<CALLLOG>")]
    ctx_s = [(sim, "<RUNNER>")] + ctx_r[1:]
    problems = compare_run(s, res["nextest"], res["sim"], ctx_r, ctx_s)
    if s.name in SELFTEST_ON:
        problems += selftest(s, res["nextest"], res["sim"], ctx_r, ctx_s)
    return problems


def base_env():
    """The environment both runners get: the fixtures' target, a fixed run id, none of the
    caller's NEXTEST_* settings."""
    env = dict(os.environ, CARGO_TARGET_DIR=fixtures.TARGET, __NEXTEST_FORCE_RUN_ID=RUN_ID)
    for k in list(env):
        if k.startswith("NEXTEST_") or k in ("LD_PRELOAD", "CARGO", "RUST_BACKTRACE"):
            env.pop(k)
    return env
