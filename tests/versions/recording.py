"""nextest's run recording (0.9.131 and later) of a run as a truth for the library's probes.

Owns: turning recording on for a run, finding the recording of a run, reading its event
log, and comparing it with the captured events field by field.

Turning it on (nextest-runner `user_config` and `record/state_dir.rs` at
cargo-nextest-0.9.143): a user configuration with `[experimental] record = true` and
`[record] enabled = true` (NEXTEST_USER_CONFIG_FILE names it), and NEXTEST_STATE_DIR, under
which nextest keeps `projects/<encoded workspace>/records/runs/<run id>/run.log.zst`: a
zstd-compressed JSON line per event (`record/summary.rs`, `TestEventSummary`), read here
with the `zstd` program.  A build without the `usdt` feature records too.

What it has, and what is compared with which probe:
  run-started        run-id, profile-name                    run-start
  test-started,      slot-assignment (global-slot,            test-attempt-start global_slot,
  test-retry-started group-slot, test-group; "@global"        group_slot, test_group
                     is null in the probe), retry-data
  test-slow          elapsed (k × period, exact),             test-attempt-slow elapsed_nanos,
                     will-terminate, retry-data               will_terminate (exact)
  test-finished      per attempt: retry-data (attempt,        test-attempt-done attempt,
  (run-statuses)     total-attempts), result status, the      total_attempts, result,
                     failure's exit code (0 for a pass or     exit_code, leaked,
                     leak, null for a signal), leaked,
                     time-taken
                     (nanoseconds)                            duration_nanos (records.py)
  setup-script-slow  elapsed, will-terminate                  setup-script-slow
  setup-script-      run-status result, the failure's exit    setup-script-done result,
  finished           code (null otherwise), time-taken        exit_code, duration_nanos
  run-finished       elapsed                                  run-done duration_nanos
Attempts are keyed by (binary id, test name, stress index, attempt).
"""

import glob
import json
import os
import shutil
import subprocess

import records

# max-records: nextest prunes the store on its own once a retention limit is exceeded 1.5
# times (`prune_if_needed`, nextest-runner/src/record/store.rs at cargo-nextest-0.9.143;
# default 100 runs) and then prints `info: pruned 1 run, freed 33 KB` in that run only.  A
# matrix records hundreds of runs (every scenario, its library-free runs, the same-outcome
# search), so the limit is set out of reach, and each invocation starts with an empty store
# (enable()).
USER_CONFIG = "[experimental]\nrecord = true\n\n[record]\nenabled = true\nmax-records = 1000000\n"
FIRST = (0, 9, 131)


def enable(env, out_dir):
    """env with recording on, the state under out_dir/nextest-state (emptied: an earlier
    invocation's runs count towards nextest's retention limits)."""
    shutil.rmtree(os.path.join(out_dir, "nextest-state"), ignore_errors=True)
    cfg = os.path.join(out_dir, "nextest-user-config.toml")
    with open(cfg, "w") as f:
        f.write(USER_CONFIG)
    return dict(env, NEXTEST_USER_CONFIG_FILE=cfg,
                NEXTEST_STATE_DIR=os.path.join(out_dir, "nextest-state"))


def find(state_dir, run_id):
    """Path of the event log of run `run_id`, or None."""
    hits = glob.glob(os.path.join(state_dir, "projects", "*", "records", "runs", run_id, "run.log.zst"))
    return hits[0] if len(hits) == 1 else None


def load(path):
    """The recorded events' `kind` objects, in order."""
    p = subprocess.run(["zstd", "-dcq", path], stdout=subprocess.PIPE, check=True)
    return [json.loads(line)["kind"] for line in p.stdout.splitlines() if line.strip()]


def _ns(d):
    return d["secs"] * 1_000_000_000 + d["nanos"]


def _stress(k):
    s = k.get("stress-index")
    return None if s is None else s["current"]


UNSAID = object()   # a field the record does not state: not compared


def _result(r):
    """(result, exit code, leaked) of a recorded result; UNSAID where the record does not
    say (a timeout's or exec-fail's exit code, for one)."""
    st = r["status"]
    if st == "pass":
        return "pass", 0, False
    if st == "leak":
        return "leak", 0, True
    if st == "fail":
        f = r.get("failure") or {}
        # "exit-code" carries the code; "abort" (a signal) has none: null in the probe
        code = f.get("code") if f.get("kind") == "exit-code" else \
            None if f.get("kind") == "abort" else UNSAID
        return "fail", code, bool(r.get("leaked"))
    return st, UNSAID, UNSAID


def truth(kinds):
    """The recording as keyed tables: attempts, slows, scripts, script slows, run."""
    t = {"attempts": {}, "slots": {}, "slow": {}, "scripts": {}, "script_slow": {}, "run": {}}
    for k in kinds:
        kind = k.get("kind")
        if kind == "run-started":
            t["run"].update(run_id=k["run-id"], profile_name=k["profile-name"])
        elif kind == "run-finished":
            t["run"].update(finished_id=k["run-id"], elapsed_ns=_ns(k["elapsed"]))
        elif kind in ("test-started", "test-retry-started"):
            ti = k["test-instance"]
            attempt = k["retry-data"]["attempt"] if "retry-data" in k else 1
            sa = k["slot-assignment"]
            group = sa["test-group"]
            t["slots"][(ti["binary-id"], ti["name"], _stress(k), attempt)] = {
                "global_slot": sa["global-slot"], "group_slot": sa["group-slot"],
                "test_group": None if group == "@global" else group}
        elif kind == "test-slow":
            ti = k["test-instance"]
            key = (ti["binary-id"], ti["name"], _stress(k), k["retry-data"]["attempt"])
            t["slow"].setdefault(key, []).append((_ns(k["elapsed"]), k["will-terminate"]))
        elif kind == "test-finished":
            ti = k["test-instance"]
            for s in k["run-statuses"]["statuses"]:
                rd = s["retry-data"]
                key = (ti["binary-id"], ti["name"], _stress(k), rd["attempt"])
                result, code, leaked = _result(s["result"])
                t["attempts"][key] = {"total_attempts": rd["total-attempts"], "result": result,
                                      "exit_code": code, "leaked": leaked,
                                      "duration_nanos": _ns(s["time-taken"])}
        elif kind == "setup-script-slow":
            key = (k["script-id"], _stress(k))
            t["script_slow"].setdefault(key, []).append((_ns(k["elapsed"]), k["will-terminate"]))
        elif kind == "setup-script-finished":
            rs = k["run-status"]
            result, code, _leaked = _result(rs["result"])
            # a script's probe carries only a failure's exit code (dispatcher.rs)
            code = code if result == "fail" and code is not UNSAID else None
            t["scripts"][(k["script-id"], _stress(k))] = {
                "result": result, "exit_code": code, "duration_nanos": _ns(rs["time-taken"])}
    return t


def _akey(a):
    return (a["binary_id"], a["test_name"], a.get("stress_current"), a["attempt"])


def compare(kinds, capture, preempted=None):
    """(problems, counts) for one run: kinds = load(path), capture = captured events,
    preempted = the runner threads' measured waits for a CPU (records.py)."""
    rec = truth(kinds)
    t = records.Tally("RECORDING")
    # the run
    starts, dones = probed_one(capture, "run-start"), probed_one(capture, "run-done")
    run = rec["run"]
    if "run_id" not in run or "elapsed_ns" not in run:
        t.problem("the recording has no run-started or run-finished")
    for label, p in (("run-start", starts), ("run-done", dones)):
        if p is None:
            t.problem(f"{label}: not probed (once)")
            continue
        for f in ("run_id", "profile_name"):
            if f in run and p[f] != run[f]:
                t.problem(f"{label} {f} {p[f]!r} (recording: {run[f]!r})")
    if dones is not None and "elapsed_ns" in run:
        d = records.time_problem("duration_nanos", dones["duration_nanos"], run["elapsed_ns"], "recording")
        if d:
            t.problem(f"run-done {d}")

    def name(k):
        return f"{k[0]}{'' if k[2] is None else f'@stress-{k[2]}'} {k[1]} attempt {k[3]}"
    # attempts: start fields, done fields
    starts_p = {_akey(a): a for a in records.probed(capture, "test-attempt-start")}
    for key, r, p in t.pair(rec["slots"], starts_p, name, "the recording's test-started"):
        bad = [f"{f} {p[f]!r} (recording: {r[f]!r})" for f in r if p[f] != r[f]]
        if bad:
            t.problem(f"{name(key)} start: " + "; ".join(bad))
    dones_p = {_akey(a): a for a in records.probed(capture, "test-attempt-done")}
    tests = set()
    for key, r, p in t.pair(rec["attempts"], dones_p, name, "the recording's test-finished"):
        tests.add(key[:3])
        t.counts["attempts"] += 1
        bad = []
        for f in ("total_attempts", "result", "exit_code", "leaked"):
            if r[f] is not UNSAID and p[f] != r[f]:
                bad.append(f"{f} {p[f]!r} (recording: {r[f]!r})")
        t.judge_duration(name(key), bad, p, r["duration_nanos"], "recording", preempted)
    t.counts["tests"] = len(tests)
    # slow events: every one, in order, exact
    slow_p = {}
    for a in records.probed(capture, "test-attempt-slow"):
        slow_p.setdefault(_akey(a), []).append((a["elapsed_nanos"], a["will_terminate"]))
    for key, r, p in t.pair(rec["slow"], slow_p, name, "the recording's test-slow"):
        if r != p:
            t.problem(f"{name(key)} slow (elapsed_nanos, will_terminate): {p} (recording: {r})")
    # setup scripts
    sname = lambda k: f"setup script {k[0]}{'' if k[1] is None else f'@stress-{k[1]}'}"  # noqa: E731
    scripts_p = {(a["script_id"], a.get("stress_current")): a for a in records.probed(capture, "setup-script-done")}
    for key, r, p in t.pair(rec["scripts"], scripts_p, sname, "the recording's setup-script-finished"):
        t.counts["attempts"] += 1
        bad = [f"{f} {p[f]!r} (recording: {r[f]!r})" for f in ("result", "exit_code")
               if r[f] is not UNSAID and p[f] != r[f]]
        t.judge_duration(sname(key), bad, p, r["duration_nanos"], "recording", preempted)
    sslow_p = {}
    for a in records.probed(capture, "setup-script-slow"):
        sslow_p.setdefault((a["script_id"], a.get("stress_current")), []).append(
            (a["elapsed_nanos"], a["will_terminate"]))
    for key, r, p in t.pair(rec["script_slow"], sslow_p, sname, "the recording's setup-script-slow"):
        if r != p:
            t.problem(f"{sname(key)} slow (elapsed_nanos, will_terminate): {p} (recording: {r})")
    return t.problems, t.counts


def probed_one(capture, probe):
    p = records.probed(capture, probe)
    return p[0] if len(p) == 1 else None
