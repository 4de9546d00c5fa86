#!/usr/bin/env python3
"""nextest_top: the live view of `nextest-probes top`.

Owns: the run's state rebuilt from the probes (running attempts with slot, attempt and
start time; finished attempts; failures; flaky tests; setup scripts; stress sub-runs),
the per-attempt CPU% and RSS read from /proc/<pid> of each running test (the pid is
test-attempt-start's arg4), and the two ways of showing it: a curses screen refreshed a few
times a second (keys: q stops the run and quits, s changes the sort of running tests), or,
when stdout is not a terminal, plain lines — one per event, a status line each second
while tests run, and a summary at the end.

Input: the output of nextest_capture's bpftrace program on stdin (or --bpftrace FILE).
Python 3 stdlib only.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time

import nextest_capture

SUCCESS = ("pass", "leak")
SORTS = ["elapsed", "slot", "cpu", "rss", "name"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def ok(arg0):
    try:
        d = json.loads(arg0)
        return d.get("ok", {}) if isinstance(d, dict) and isinstance(d.get("ok"), dict) else {}
    except ValueError:
        return {}


def fmt_secs(ns):
    return f"{ns / 1e9:7.3f}s"


def fmt_rss(b):
    if b is None:
        return "-"
    for unit in ("B", "K", "M", "G"):
        if b < 1024 or unit == "G":
            return f"{b:.0f}{unit}" if unit == "B" else f"{b:.1f}{unit}"
        b /= 1024.0
    return "-"


class State:
    """Everything the view shows, fed one event at a time (thread-safe via `lock`)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.run_id = self.profile = None
        self.total = self.threads = None
        self.t0 = None
        self.done_ns = None
        self.running = {}      # attempt_id -> dict
        self.finished = []     # dicts, in order
        self.failures = []     # final failures
        self.flaky = []
        self.retrying = 0
        self.scripts = {}      # id -> dict
        self.stress = None     # {"current", "total", "done"}
        self.events = 0
        self.ended = False
        self.log = []          # plain lines not yet printed

    def say(self, t_ns, text):
        rel = (t_ns - self.t0) / 1e9 if self.t0 else 0.0
        self.log.append(f"[{rel:8.3f}s] {text}")

    def feed(self, ev):
        p, a, t = ev["probe"], ev["args"], ev["t_ns"]
        d = ok(ev["arg0"])
        self.events += 1
        if p == "run-start":
            self.t0 = t
            self.run_id = d.get("run_id") or a[0]
            self.profile = d.get("profile_name")
            # filter_count: the tests this run runs (total_tests counts the filtered-out too)
            self.total = d.get("filter_count", d.get("total_tests"))
            self.threads = d.get("test_threads")
            self.say(t, f"RUN    {self.total if self.total is not None else '?'} tests, "
                        f"profile {self.profile}, {self.threads} threads, run id {self.run_id}")
        elif p == "run-done":
            self.done_ns = t
            self.say(t, f"DONE   {self.summary()}")
        elif p == "test-attempt-start":
            r = {"id": a[0], "binary": a[1], "test": a[2], "pid": a[3], "start": t,
                 "slot": d.get("global_slot"), "attempt": d.get("attempt", 1),
                 "total_attempts": d.get("total_attempts", 1), "slow": False,
                 "cpu": None, "rss": None, "ticks": None, "tick_t": None}
            if r["slot"] is None:
                used = {x["slot"] for x in self.running.values()}
                r["slot"] = next(i for i in range(len(used) + 1) if i not in used)
            self.running[a[0]] = r
            self.say(t, f"START  slot {r['slot']:<3} attempt {r['attempt']}/{r['total_attempts']}  "
                        f"{a[1]} {a[2]}  (pid {a[3]})")
        elif p == "test-attempt-slow":
            r = self.running.get(a[0])
            if r:
                r["slow"] = True
            self.say(t, f"SLOW   {a[1]} {a[2]}  after {a[3] / 1e9:.3f}s")
        elif p == "test-attempt-done":
            r = self.running.pop(a[0], None) or {"slot": None, "attempt": d.get("attempt", 1),
                                                 "total_attempts": d.get("total_attempts", 1)}
            attempt, total = d.get("attempt", r["attempt"]), d.get("total_attempts", r["total_attempts"])
            f = {"binary": a[1], "test": a[2], "result": a[3], "dur": a[4], "attempt": attempt,
                 "total_attempts": total, "exit_code": d.get("exit_code"), "rss": r.get("rss")}
            self.finished.append(f)
            if a[3] in SUCCESS:
                if attempt > 1:
                    self.flaky.append(f)
            elif attempt < total:
                self.retrying += 1
            else:
                self.failures.append(f)
            note = " (will retry)" if a[3] not in SUCCESS and attempt < total else \
                (" (flaky)" if a[3] in SUCCESS and attempt > 1 else "")
            self.say(t, f"{a[3].upper():<6} {fmt_secs(a[4])}  {a[1]} {a[2]}{note}")
        elif p == "setup-script-start":
            self.scripts[a[0]] = {"name": a[1], "pid": a[2], "start": t, "result": None, "dur": None,
                                  "slow": False}
            self.say(t, f"SETUP  {a[1]} started (pid {a[2]})")
        elif p == "setup-script-slow":
            s = self.scripts.get(a[0])
            if s:
                s["slow"] = True
            self.say(t, f"SETUP  {a[1]} slow: {a[2] / 1e9:.3f}s")
        elif p == "setup-script-done":
            s = self.scripts.setdefault(a[0], {"name": a[1], "start": t, "slow": False})
            s["result"], s["dur"] = a[2], a[3]
            self.say(t, f"SETUP  {a[1]} {a[2]} in {a[3] / 1e9:.3f}s")
        elif p == "stress-sub-run-start":
            self.stress = {"current": a[1], "total": d.get("stress_total") or d.get("total"),
                           "done": (self.stress or {}).get("done", 0)}
            tot = self.stress["total"]
            self.say(t, f"STRESS sub-run {a[1] + 1}{'/' + str(tot) if tot else ''} started")
        elif p == "stress-sub-run-done":
            self.stress = self.stress or {"current": a[1], "total": None, "done": 0}
            self.stress["done"] += 1
            self.say(t, f"STRESS sub-run {a[1] + 1} done: {d.get('passed', '?')} passed, "
                        f"{d.get('failed', '?')} failed")

    def summary(self):
        """Worded as nextest's summary line (flaky tests are passed tests)."""
        passed = sum(1 for f in self.finished if f["result"] in SUCCESS)
        failed = len(self.failures)
        s = f"{passed + failed} tests run: {passed} passed"
        if self.flaky:
            s += f" ({len(self.flaky)} flaky)"
        if failed:
            s += f", {failed} failed"
        return s

    def sample(self):
        """CPU% and RSS of each running attempt, from /proc/<pid>/stat."""
        now = time.monotonic()
        for r in self.running.values():
            try:
                with open(f"/proc/{r['pid']}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            ticks = int(fields[11]) + int(fields[12])      # utime + stime
            r["rss"] = int(fields[21]) * PAGE
            if r["ticks"] is not None and now > r["tick_t"]:
                r["cpu"] = 100.0 * (ticks - r["ticks"]) / CLK_TCK / (now - r["tick_t"])
            r["ticks"], r["tick_t"] = ticks, now

    def running_sorted(self, key):
        now = time.monotonic_ns()
        rows = list(self.running.values())
        k = {"elapsed": lambda r: -(now - r["start"]), "slot": lambda r: r["slot"],
             "cpu": lambda r: -(r["cpu"] or 0.0), "rss": lambda r: -(r["rss"] or 0),
             "name": lambda r: (r["binary"], r["test"])}[key]
        return sorted(rows, key=k)

    def screen(self, width, height, sort, runner):
        """The lines of one frame."""
        now = time.monotonic_ns()
        el = (now - self.t0) / 1e9 if self.t0 else 0.0
        if self.done_ns:
            el = (self.done_ns - self.t0) / 1e9
        ndone = len(self.finished) - self.retrying
        head = (f"nextest-probes top — {os.path.basename(runner)} — "
                + (f"profile {self.profile} — " if self.profile else "")
                + f"{ndone}/{self.total if self.total is not None else '?'} done, "
                + f"{len(self.running)} running, {len(self.failures)} failed, "
                + f"{len(self.flaky)} flaky — {el:.1f}s"
                + (" — run done" if self.done_ns else ""))
        out = [head[:width]]
        if self.stress:
            tot = self.stress["total"]
            out.append(f"stress: sub-run {self.stress['current'] + 1}{'/' + str(tot) if tot else ''}, "
                       f"{self.stress['done']} done")
        if self.scripts:
            parts = []
            for s in self.scripts.values():
                if s["result"] is None:
                    parts.append(f"{s['name']} running {(now - s['start']) / 1e9:.1f}s" +
                                 (" (slow)" if s["slow"] else ""))
                else:
                    parts.append(f"{s['name']} {s['result']} {s['dur'] / 1e9:.3f}s")
            out.append(("setup scripts: " + "; ".join(parts))[:width])
        out.append("")
        out.append(f"RUNNING (sort: {sort})")
        out.append(f"{'SLOT':>4} {'ATTEMPT':>7} {'ELAPSED':>9} {'CPU%':>6} {'RSS':>7}  TEST")
        rows = self.running_sorted(sort)
        budget = max(3, (height - len(out) - 12) if height else len(rows))
        for r in rows[:budget]:
            cpu = "-" if r["cpu"] is None else f"{r['cpu']:.0f}"
            line = (f"{r['slot']:>4} {str(r['attempt']) + '/' + str(r['total_attempts']):>7} "
                    f"{(now - r['start']) / 1e9:8.2f}s {cpu:>6} {fmt_rss(r['rss']):>7}  "
                    f"{r['binary']} {r['test']}" + (" SLOW" if r["slow"] else ""))
            out.append(line[:width])
        if len(rows) > budget:
            out.append(f"  … {len(rows) - budget} more")
        out.append("")
        out.append("SLOWEST FINISHED ATTEMPTS")
        for f in sorted(self.finished, key=lambda f: -f["dur"])[:5]:
            out.append(f"  {fmt_secs(f['dur'])}  {f['result']:<9} {str(f['attempt']) + '/' + str(f['total_attempts']):>5}  "
                       f"{f['binary']} {f['test']}"[:width])
        if self.failures:
            out.append("FAILURES")
            for f in self.failures[-5:]:
                code = f" (exit code {f['exit_code']})" if f["exit_code"] is not None else ""
                out.append(f"  {f['result']:<9} {f['binary']} {f['test']}{code}"[:width])
        if self.flaky:
            out.append("FLAKY")
            for f in self.flaky[-5:]:
                out.append(f"  passed on attempt {f['attempt']}/{f['total_attempts']}  "
                           f"{f['binary']} {f['test']}"[:width])
        return out


def reader(inp, state, ready_file):
    p = nextest_capture.Parser()
    for line in inp:
        if line.rstrip("\n") == "READY" and ready_file:
            open(ready_file, "w").close()
            continue
        for ev in p.feed(line):
            with state.lock:
                state.feed(ev)
    with state.lock:
        state.ended = True
        if p.lost:
            state.log.append(f"WARNING: bpftrace lost {p.lost} events")


def stop_run():
    """q: what Ctrl-C does — SIGINT to the whole process group (the runner cancels the run,
    bpftrace prints its end); this view ignores it and exits."""
    os.killpg(os.getpgrp(), signal.SIGINT)


def plain(state, opts):
    last_status = time.monotonic()
    while True:
        time.sleep(min(opts.interval, 0.2))
        with state.lock:
            lines, state.log = state.log, []
            ended = state.ended
            if time.monotonic() - last_status >= 1.0 and state.running:
                state.sample()
                now = time.monotonic_ns()
                rows = state.running_sorted("elapsed")
                lines.append("[status] running: " + ", ".join(
                    f"slot {r['slot']} {r['test']} {(now - r['start']) / 1e9:.1f}s"
                    + (f" cpu {r['cpu']:.0f}%" if r["cpu"] is not None else "")
                    + (f" rss {fmt_rss(r['rss'])}" if r["rss"] is not None else "") for r in rows))
                last_status = time.monotonic()
        for l in lines:
            print(l, flush=True)
        if ended:
            break
    final(state, sys.stdout)


def final(state, out):
    with state.lock:
        out.write(f"nextest-probes top: {state.summary()}\n")
        for f in sorted(state.finished, key=lambda f: -f["dur"])[:5]:
            out.write(f"  slowest: {fmt_secs(f['dur'])} {f['binary']} {f['test']}\n")
        for f in state.failures:
            out.write(f"  failed:  {f['result']} {f['binary']} {f['test']}\n")
        for f in state.flaky:
            out.write(f"  flaky:   passed on attempt {f['attempt']} {f['binary']} {f['test']}\n")
        if state.events == 0:
            out.write("nextest-probes top: 0 events: was the library preloaded into the runner?\n")
    out.flush()


def tty(state, opts):
    import curses

    def loop(scr):
        curses.curs_set(0)
        scr.timeout(int(opts.interval * 1000))
        sort = 0
        quit_at = None
        while True:
            with state.lock:
                state.sample()
                h, w = scr.getmaxyx()
                lines = state.screen(w - 1, h, SORTS[sort], opts.runner)
                state.log = []
                ended = state.ended
            lines.append("")
            lines.append("q: stop the run and quit   s: sort running tests by "
                         + "/".join(SORTS) if quit_at is None else "stopping the run…")
            scr.erase()
            for i, l in enumerate(lines[:h - 1]):
                try:
                    scr.addstr(i, 0, l[:w - 1])
                except curses.error:
                    pass
            scr.refresh()
            if ended:
                return
            c = scr.getch()
            if c in (ord("q"), ord("Q")) and quit_at is None:
                quit_at = time.monotonic()
                stop_run()
            elif c in (ord("s"), ord("S")):
                sort = (sort + 1) % len(SORTS)
    curses.wrapper(loop)
    final(state, sys.stdout)


def main(argv=None):
    ap = argparse.ArgumentParser(description="live view of a nextest run from its probes")
    ap.add_argument("--bpftrace", default="-", help="nextest_capture program output (- = stdin)")
    ap.add_argument("--ready-file")
    ap.add_argument("--runner", default="nextest")
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between refreshes")
    ap.add_argument("--tty", action="store_true", help="curses view (else plain lines)")
    opts = ap.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the input ends when bpftrace does
    inp = sys.stdin if opts.bpftrace == "-" else open(opts.bpftrace, errors="replace")
    state = State()
    t = threading.Thread(target=reader, args=(inp, state, opts.ready_file), daemon=True)
    t.start()
    if opts.tty:
        tty(state, opts)
    else:
        plain(state, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
