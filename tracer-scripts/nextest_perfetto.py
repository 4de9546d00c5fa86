#!/usr/bin/env python3
"""nextest_perfetto: nextest probe events -> a Chrome/Perfetto JSON trace, written live.

Owns: the mapping from the ten probes to the trace shape of nextest's own
`cargo nextest store export-chrome-trace` (nextest-runner/src/record/chrome_trace.rs):
  * pid 0 "nextest run (<profile>)": tid 1 the "test run" span, tid 2 stress "sub-run"
    spans, counters "concurrency" {running_tests, running_scripts} and "test results"
    {passed, flaky, failed};
  * pid 1 "setup-scripts": tid = script index + 10000, one span per script;
  * pid 2, 3, … one per test binary (in order of first appearance): tid = global slot +
    10000 (thread "slot-N"), one B/E span per attempt named after the test, retries linked
    by "retry" flow events (s/f), "slow" instant markers;
  * M metadata events naming processes and threads; `ts` in microseconds (CLOCK_MONOTONIC).
Inputs: event lines (docs/event-format.md; e.g. the simulator's --truth file) or the live
output of nextest_capture's bpftrace program.  The file is written incrementally and is
always closed into valid JSON at the end of input, on SIGTERM/SIGHUP, or after SIGINT once
the input ends.  Python 3 stdlib only.

Usage:
  nextest_perfetto.py -o trace.json [--events FILE|-] [--bpftrace FILE|-] [--live]
                      [--nextest-version V] [--cli-arg ARG]…
"""

import argparse
import json
import signal
import sys

RUN_PID, SCRIPT_PID, FIRST_BINARY_PID = 0, 1, 2
RUN_TID, STRESS_TID, TID_OFFSET = 1, 2, 10000
SUCCESS = ("pass", "leak")


def parse_arg0(arg0):
    """The struct inside {"ok":…}, or {} when arg0 is cut or not JSON."""
    try:
        v = json.loads(arg0)
    except (ValueError, TypeError):
        return {}
    v = v.get("ok") if isinstance(v, dict) else None
    return v if isinstance(v, dict) else {}


def ms(nanos):
    return nanos / 1e6 if isinstance(nanos, int) else None


def secs(nanos):
    return nanos / 1e9 if isinstance(nanos, int) else None


def stress_args(d):
    cur = d.get("stress_current")
    if cur is None:
        return None
    return {"current": cur, "total": d.get("stress_total")}


def drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


class Writer:
    """Writes {"traceEvents":[…],"displayTimeUnit":"ms","otherData":{…}} one event at a time."""

    def __init__(self, f):
        self.f = f
        self.count = 0
        self.closed = False
        f.write('{"traceEvents":[')
        f.flush()

    def event(self, ev):
        self.f.write(("\n" if self.count == 0 else ",\n") + json.dumps(ev, separators=(",", ":"),
                                                                      ensure_ascii=False))
        self.count += 1
        self.f.flush()

    def close(self, other):
        if self.closed:
            return
        self.closed = True
        self.f.write('\n],"displayTimeUnit":"ms","otherData":' +
                     json.dumps(other, separators=(",", ":"), ensure_ascii=False) + "}\n")
        self.f.flush()


class Converter:
    def __init__(self, writer, nextest_version="unknown", cli_args=(), live=None):
        self.w = writer
        self.version = nextest_version
        self.cli_args = list(cli_args)
        self.live = live
        self.run_id = None
        self.profile = None
        self.binary_pid = {}
        self.named_pids, self.named_tids = set(), set()
        self.attempts = {}          # attempt_id -> {pid, tid, name, binary_id, test_name, slow, group}
        self.pending_flow = {}      # (binary_id, test_name, stress) -> flow id
        self.next_flow = 0
        self.used_slots = set()
        self.scripts = {}           # id (arg1) -> {tid, name, slow}
        self.next_script = 0
        self.running_tests = self.running_scripts = 0
        self.passed = self.flaky = self.failed = 0
        self.run_open = self.stress_open = False
        self.stats = {"events": 0}

    # -- output helpers ----------------------------------------------------------------
    def emit(self, name, cat, ph, ts, pid, tid, s=None, id=None, bp=None, args=None):
        ev = {"name": name, "cat": cat, "ph": ph, "ts": ts, "pid": pid, "tid": tid}
        if s is not None:
            ev["s"] = s
        if id is not None:
            ev["id"] = id
        if bp is not None:
            ev["bp"] = bp
        if args is not None:
            ev["args"] = args
        self.w.event(ev)

    def meta(self, pid, tid, pname, tname):
        if pid not in self.named_pids:
            self.named_pids.add(pid)
            self.emit("process_name", "", "M", 0.0, pid, 0, args={"name": pname})
            self.emit("process_sort_index", "", "M", 0.0, pid, 0, args={"sort_index": pid})
        if (pid, tid) not in self.named_tids:
            self.named_tids.add((pid, tid))
            self.emit("thread_name", "", "M", 0.0, pid, tid, args={"name": tname})
            self.emit("thread_sort_index", "", "M", 0.0, pid, tid, args={"sort_index": tid})

    def counter(self, ts):
        self.emit("concurrency", "run", "C", ts, RUN_PID, 0,
                  args={"running_tests": self.running_tests, "running_scripts": self.running_scripts})

    def results_counter(self, ts):
        self.emit("test results", "run", "C", ts, RUN_PID, 0,
                  args={"passed": self.passed, "flaky": self.flaky, "failed": self.failed})

    def run_name(self):
        return f"nextest run ({self.profile})" if self.profile is not None else "nextest run"

    def say(self, text):
        if self.live:
            self.live.write(text + "\n")
            self.live.flush()

    # -- events ------------------------------------------------------------------------
    def feed(self, ev):
        probe, args = ev.get("probe"), ev.get("args") or []
        ts = float(int(ev.get("t_ns", 0)) // 1000)
        d = parse_arg0(ev.get("arg0", ""))
        handler = getattr(self, "on_" + str(probe).replace("-", "_"), None)
        if handler is None:
            return
        self.stats["events"] += 1
        handler(ts, d, args)

    def on_run_start(self, ts, d, args):
        self.run_id = d.get("run_id") or self._run_id_arg(args)
        self.profile = d.get("profile_name", self.profile)
        self.meta(RUN_PID, RUN_TID, self.run_name(), "run")
        begin = {"nextest_version": self.version, "run_id": self.run_id, "profile": self.profile,
                 "cli_args": self.cli_args}
        for k in ("total_tests", "test_threads", "filter_count"):
            if k in d:
                begin[k] = d[k]
        self.emit("test run", "run", "B", ts, RUN_PID, RUN_TID, args=drop_none(begin))
        self.run_open = True
        self.say(f"run started: {d.get('total_tests', '?')} tests, profile {self.profile}, run id {self.run_id}")

    @staticmethod
    def _run_id_arg(args):
        try:
            v = json.loads(args[0])
            return v.get("ok") if isinstance(v, dict) else None
        except (ValueError, TypeError, IndexError):
            return None

    def on_run_done(self, ts, d, args):
        if not self.run_open:
            return
        stats = {"type": "single-run", "initial_run_count": d.get("total_tests"),
                 "passed": d.get("passed"), "failed": d.get("failed"), "skipped": d.get("skipped")}
        if d.get("stress_completed") is not None:
            stats = {"type": "stress-run", "completed": d.get("stress_completed"),
                     "success": d.get("stress_success"), "failed": d.get("stress_failed")}
        end = {"nextest_version": self.version, "time_taken_ms": ms(d.get("duration_nanos")),
               "profile": self.profile, "run_stats": drop_none(stats)}
        self.emit("test run", "run", "E", ts, RUN_PID, RUN_TID, args=drop_none(end))
        self.run_open = False
        self.say(f"run done: {d.get('passed', '?')} passed, {d.get('failed', '?')} failed, "
                 f"{d.get('skipped', '?')} skipped")

    def _slot(self, d):
        slot = d.get("global_slot")
        if not isinstance(slot, int):   # older nextest, or arg0 cut: lowest free slot
            slot = 0
            while slot in self.used_slots:
                slot += 1
        self.used_slots.add(slot)
        return slot

    def _pid(self, binary_id):
        if binary_id not in self.binary_pid:
            self.binary_pid[binary_id] = FIRST_BINARY_PID + len(self.binary_pid)
        return self.binary_pid[binary_id]

    def on_test_attempt_start(self, ts, d, args):
        attempt_id, binary_id, test_name = args[0], args[1], args[2]
        pid = self._pid(binary_id)
        slot = self._slot(d)
        tid = slot + TID_OFFSET
        self.meta(pid, tid, binary_id, f"slot-{slot}")
        attempt, total = d.get("attempt", 1), d.get("total_attempts", 1)
        cmd = []
        if isinstance(d.get("program"), str):
            cmd = [d["program"]] + [a for a in d.get("args") or [] if isinstance(a, str)]
        if attempt > 1:
            b = {"binary_id": binary_id, "test_name": test_name, "attempt": attempt,
                 "total_attempts": total, "command_line": cmd}
        else:
            b = {"binary_id": binary_id, "test_name": test_name, "command_line": cmd}
        if not cmd:
            del b["command_line"]
        self.emit(test_name, "test", "B", ts, pid, tid, args=b)
        key = (binary_id, test_name, d.get("stress_current"))
        flow = self.pending_flow.pop(key, None)
        if flow is not None:
            self.emit("retry", "test", "f", ts, pid, tid, id=flow, bp="e")
        self.attempts[attempt_id] = {"pid": pid, "tid": tid, "slot": slot, "slow": False,
                                     "group": d.get("test_group")}
        self.running_tests += 1
        self.counter(ts)
        self.say(f"  START  {binary_id} {test_name}" + (f" (attempt {attempt}/{total})" if attempt > 1 else ""))

    def on_test_attempt_slow(self, ts, d, args):
        attempt_id, binary_id, test_name, elapsed = args[0], args[1], args[2], args[3]
        a = self.attempts.get(attempt_id)
        if a is None:
            return
        a["slow"] = True
        sl = {"binary_id": binary_id, "test_name": test_name, "elapsed_secs": secs(elapsed),
              "will_terminate": d.get("will_terminate", False), "attempt": d.get("attempt", 1),
              "stress_index": stress_args(d)}
        self.emit("slow", "test", "i", ts, a["pid"], a["tid"], s="t", args=drop_none(sl))
        self.say(f"  SLOW   {binary_id} {test_name} ({secs(elapsed):.3f}s)")

    def on_test_attempt_done(self, ts, d, args):
        attempt_id, binary_id, test_name, result, dur = args[0], args[1], args[2], args[3], args[4]
        a = self.attempts.pop(attempt_id, None)
        if a is None:
            return
        self.used_slots.discard(a["slot"])
        attempt, total = d.get("attempt", 1), d.get("total_attempts", 1)
        res = {"status": result}
        if result not in SUCCESS and d.get("exit_code") is not None:
            res["exit_code"] = d["exit_code"]
        retrying = result not in SUCCESS and attempt < total
        flaky = result in SUCCESS and attempt > 1
        end = {"binary_id": binary_id, "test_name": test_name, "time_taken_ms": ms(dur),
               "result": res, "attempt": attempt, "total_attempts": total, "is_slow": a["slow"],
               "test_group": a["group"], "stress_index": stress_args(d),
               "flaky_result": "pass" if flaky else None}
        self.emit(test_name, "test", "E", ts, a["pid"], a["tid"], args=drop_none(end))
        self.running_tests = max(0, self.running_tests - 1)
        if retrying:
            flow = self.next_flow
            self.next_flow += 1
            self.emit("retry", "test", "s", ts, a["pid"], a["tid"], id=flow)
            self.pending_flow[(binary_id, test_name, d.get("stress_current"))] = flow
            self.counter(ts)
        else:
            if flaky:
                self.flaky += 1
            elif result in SUCCESS:
                self.passed += 1
            else:
                self.failed += 1
            self.counter(ts)
            self.results_counter(ts)
        word = {"pass": "PASS", "leak": "LEAK", "fail": "FAIL", "exec-fail": "EXECFAIL",
                "timeout": "TIMEOUT"}.get(result, result.upper())
        note = " (will retry)" if retrying else (" (flaky)" if flaky else "")
        self.say(f"  {word:<6} [{ms(dur) / 1000:8.3f}s] {binary_id} {test_name}{note}")

    def on_setup_script_start(self, ts, d, args):
        sid, script_id = args[0], args[1]
        index = self.next_script
        self.next_script += 1
        tid = index + TID_OFFSET
        self.meta(SCRIPT_PID, tid, "setup-scripts", f"script-{index}")
        self.emit(script_id, "setup-script", "B", ts, SCRIPT_PID, tid)
        self.scripts[sid] = {"tid": tid, "name": script_id, "slow": False}
        self.running_scripts += 1
        self.counter(ts)
        self.say(f"  SETUP  {script_id}")

    def on_setup_script_slow(self, ts, d, args):
        s = self.scripts.get(args[0])
        if s is None:
            return
        s["slow"] = True
        sl = {"script_id": args[1], "elapsed_secs": secs(args[2]),
              "will_terminate": d.get("will_terminate", False), "stress_index": stress_args(d)}
        self.emit("slow", "setup-script", "i", ts, SCRIPT_PID, s["tid"], s="t", args=drop_none(sl))

    def on_setup_script_done(self, ts, d, args):
        s = self.scripts.pop(args[0], None)
        if s is None:
            return
        res = {"status": args[2]}
        if args[2] not in SUCCESS and d.get("exit_code") is not None:
            res["exit_code"] = d["exit_code"]
        end = {"script_id": args[1], "time_taken_ms": ms(args[3]), "result": res,
               "is_slow": s["slow"], "stress_index": stress_args(d)}
        self.emit(s["name"], "setup-script", "E", ts, SCRIPT_PID, s["tid"], args=drop_none(end))
        self.running_scripts = max(0, self.running_scripts - 1)
        self.counter(ts)
        self.say(f"  SETUP  {args[1]} {args[2]} [{ms(args[3]) / 1000:.3f}s]")

    def _progress(self, d, completed):
        return drop_none({"progress-type": "count", "total": d.get("stress_total"),
                          "elapsed_ms": ms(d.get("elapsed_nanos")), "completed": completed})

    def on_stress_sub_run_start(self, ts, d, args):
        self.meta(RUN_PID, STRESS_TID, self.run_name(), "stress sub-runs")
        self.emit("sub-run", "stress", "B", ts, RUN_PID, STRESS_TID,
                  args={"progress": self._progress(d, args[1])})
        self.stress_open = True

    def on_stress_sub_run_done(self, ts, d, args):
        if not self.stress_open:
            return
        sub = drop_none({"initial_run_count": d.get("total_tests"), "passed": d.get("passed"),
                         "failed": d.get("failed"), "skipped": d.get("skipped")})
        self.emit("sub-run", "stress", "E", ts, RUN_PID, STRESS_TID,
                  args=drop_none({"progress": self._progress(d, args[1] + 1),
                                  "time_taken_ms": ms(d.get("sub_run_duration_nanos")),
                                  "sub_stats": sub}))
        self.stress_open = False
        self.say(f"stress sub-run {args[1]} done: {d.get('passed', '?')} passed, {d.get('failed', '?')} failed")

    def summary(self):
        """The counts worded as nextest's summary line words them: flaky tests are passed
        tests ("3 tests run: 2 passed (2 flaky), 1 failed")."""
        passed = self.passed + self.flaky
        text = f"{passed + self.failed} tests run: {passed} passed"
        if self.flaky:
            text += f" ({self.flaky} flaky)"
        if self.failed:
            text += f", {self.failed} failed"
        return text

    def other_data(self):
        return drop_none({"nextest_version": self.version, "run_id": self.run_id,
                          "profile_name": self.profile,
                          "cli_args": self.cli_args or None,
                          "recorded_by": "libnextest_probes nextest_perfetto (USDT probes)"})


def event_lines(f):
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            sys.stderr.write(f"nextest_perfetto: line {n}: not JSON, skipped\n")
            continue
        if isinstance(ev, dict):
            yield ev


def bpftrace_lines(f, state, ready_file=None):
    import nextest_capture
    p = nextest_capture.Parser()
    state["parser"] = p
    for line in f:
        if ready_file and line.rstrip("\n") == "READY":
            open(ready_file, "w").close()
        yield from p.feed(line)


def main(argv=None):
    ap = argparse.ArgumentParser(description="nextest probe events -> Chrome/Perfetto JSON trace")
    ap.add_argument("-o", "--output", help="the trace (at least one of -o, --events-out)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--events", help="event lines (docs/event-format.md), - for stdin")
    src.add_argument("--bpftrace", help="output of nextest_capture's program, - for stdin")
    ap.add_argument("--live", action="store_true", help="print one line per event on stderr")
    ap.add_argument("--nextest-version", default="unknown")
    ap.add_argument("--cli-arg", action="append", default=[])
    ap.add_argument("--events-out", help="also write the event lines to this file")
    ap.add_argument("--ready-file", help="bpftrace mode: create this file once bpftrace prints READY")
    ap.add_argument("--fired-file", help="write the number of probe firings seen to this file at the end")
    opts = ap.parse_args(argv)
    if not opts.output and not opts.events_out:
        ap.error("one of -o and --events-out is needed")

    name = opts.bpftrace or opts.events or "-"
    inp = sys.stdin if name == "-" else open(name, encoding="utf-8", errors="replace")
    try:
        out = open(opts.output or "/dev/null", "w", encoding="utf-8")
        evout = open(opts.events_out, "w", encoding="utf-8") if opts.events_out else None
    except OSError as e:
        sys.stderr.write(f"nextest_perfetto: cannot write {e.filename}: {e.strerror}\n")
        return 1
    writer = Writer(out)
    conv = Converter(writer, opts.nextest_version, opts.cli_arg, sys.stderr if opts.live else None)

    def finish(*_sig):
        writer.close(conv.other_data())
        if _sig:
            sys.exit(130)

    # SIGINT: keep reading until the tracer (which got it too) ends its output.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGHUP, finish)
    state = {}
    try:
        source = bpftrace_lines(inp, state, opts.ready_file) if opts.bpftrace else event_lines(inp)
        for ev in source:
            if evout:
                evout.write(json.dumps(ev, ensure_ascii=False) + "\n")
                evout.flush()
            conv.feed(ev)
    finally:
        finish()
    p = state.get("parser")
    if p is not None and (p.lost or p.malformed):
        sys.stderr.write(f"nextest_perfetto: WARNING: bpftrace lost {p.lost} events, "
                         f"{p.malformed} malformed lines; the trace is incomplete\n")
    if opts.fired_file:
        with open(opts.fired_file, "w") as f:
            f.write(f"{conv.stats['events']}\n")
    wrote = []
    if opts.output:
        wrote.append(f"{writer.count} trace events to {opts.output}")
    if opts.events_out:
        wrote.append(f"{conv.stats['events']} event lines to {opts.events_out}")
    sys.stderr.write(f"nextest_perfetto: wrote {' and '.join(wrote)} from {conv.stats['events']} "
                     f"probe firings ({conv.summary()})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
