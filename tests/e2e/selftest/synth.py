"""Synthetic event lists for the harness self-tests: a small nextest run built the way
nextest serialises it (serde_json compact, fields in declaration order), so the diff tests
start from something realistic.  Owns nothing but test data."""

import copy
import json

RUN_ID = "55459fda-13fe-406a-b4e3-0230fd52bb03"
RUN_ARG = '{"ok":"' + RUN_ID + '"}'


def serde(obj):
    """serde_json::to_string for the plain values used here."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def ev(probe, t_ns, struct, args, tid=4242):
    return {"probe": probe, "t_ns": t_ns, "tid": tid,
            "arg0": '{"ok":' + serde(struct) + "}", "args": args}


def attempt_events(binary_id, test_name, t0, pid, result="pass", exit_code=0,
                   duration=5_123_456, attempt=1, total=1, stress=None, slow=()):
    aid = f"{RUN_ID}:{binary_id}" + (f"@stress-{stress}" if stress is not None else "") + \
          f"${test_name}" + (f"#{attempt}" if attempt > 1 else "")
    start = {"attempt_id": aid, "run_id": RUN_ID, "binary_id": binary_id, "test_name": test_name,
             "pid": pid, "program": "/home/dev/ws/target/debug/deps/fx_basic-0123",
             "args": ["--exact", test_name, "--nocapture"], "attempt": attempt,
             "total_attempts": total, "stress_current": stress, "stress_total": None,
             "global_slot": 0, "group_slot": None, "test_group": None}
    out = [ev("test-attempt-start", t0, start, [aid, binary_id, test_name, pid])]
    for k, elapsed in enumerate(slow, 1):
        s = {"attempt_id": aid, "run_id": RUN_ID, "binary_id": binary_id, "test_name": test_name,
             "attempt": attempt, "total_attempts": total, "elapsed_nanos": elapsed,
             "will_terminate": False, "stress_current": stress, "stress_total": None}
        out.append(ev("test-attempt-slow", t0 + elapsed, s, [aid, binary_id, test_name, elapsed]))
    done = {"attempt_id": aid, "run_id": RUN_ID, "binary_id": binary_id, "test_name": test_name,
            "attempt": attempt, "total_attempts": total, "result": result, "exit_code": exit_code,
            "duration_nanos": duration, "leaked": False, "time_to_close_fds_nanos": 12_345,
            "stress_current": stress, "stress_total": None, "stdout_len": 120, "stderr_len": 0}
    out.append(ev("test-attempt-done", t0 + duration, done, [aid, binary_id, test_name, result, duration]))
    return out


def run_events():
    """run-start, a setup script, three attempts (one slow, one with a hostile name), run-done."""
    t = 1_000_000_000
    evs = [ev("run-start", t, {"run_id": RUN_ID, "profile_name": "default", "total_tests": 3,
                               "filter_count": 3, "test_threads": 2, "stress_count": None,
                               "stress_infinite": False, "stress_duration_nanos": None}, [RUN_ARG])]
    sid = f"{RUN_ID}:env-ok"
    sprog, sargs = "sh", ["scripts/setup-ok.sh"]
    evs.append(ev("setup-script-start", t + 1_000_000,
                  {"id": sid, "run_id": RUN_ID, "script_id": "env-ok", "pid": 300, "program": sprog,
                   "args": sargs, "stress_current": None, "stress_total": None}, [sid, "env-ok", 300]))
    evs.append(ev("setup-script-done", t + 9_000_000,
                  {"id": sid, "run_id": RUN_ID, "script_id": "env-ok", "program": sprog, "args": sargs,
                   "result": "pass", "exit_code": None, "duration_nanos": 8_000_000,
                   "stress_current": None, "stress_total": None, "stdout_len": 10, "stderr_len": 5},
                  [sid, "env-ok", "pass", 8_000_000]))
    evs += attempt_events("fx-basic", "basic::pass_quick", t + 10_000_000, 301)
    evs += attempt_events("fx-basic::timing", "slow_2500ms", t + 11_000_000, 302,
                          duration=2_501_000_000, slow=(1_000_000_000, 2_000_000_000))
    evs += attempt_events("fx-hostile::names", 'hostile::quote"double/é\u0001', t + 12_000_000, 303)
    evs.sort(key=lambda e: e["t_ns"])
    evs.append(ev("run-done", t + 2_600_000_000,
                  {"run_id": RUN_ID, "profile_name": "default", "total_tests": 3, "passed": 3,
                   "failed": 0, "skipped": 0, "duration_nanos": 2_600_000_000, "paused_nanos": 0,
                   "stress_completed": None, "stress_success": None, "stress_failed": None},
                  [RUN_ARG]))
    return evs


def clone(events):
    return copy.deepcopy(events)
