"""test_judge: the per-field comparison of judge.py on hand-made event pairs — every
difference that is not a time value fails, a time value only beyond the tolerance."""

import json

import judge

TOL = judge.TIME_TOLERANCE_NS


def done(duration, result="pass", extra=None, tid=1, t_ns=10**9):
    ok = {"attempt_id": "r:b$t", "result": result, "duration_nanos": duration}
    ok.update(extra or {})
    arg0 = json.dumps({"ok": ok}, separators=(",", ":"))
    return {"probe": "test-attempt-done", "t_ns": t_ns, "tid": tid, "arg0": arg0,
            "args": ["r:b$t", "b", "t", result, duration]}


def test_identical_pair_is_exact():
    r = judge.judge([done(1000)], [done(1000)])
    assert r.ok() and r.table["test-attempt-done"]["exact"] == 1


def test_time_within_tolerance_passes():
    r = judge.judge([done(10**8)], [done(10**8 - TOL)])
    assert r.ok() and r.table["test-attempt-done"]["tolerance"] == 1


def test_time_beyond_tolerance_fails():
    r = judge.judge([done(10**8)], [done(10**8 - TOL - 1)])
    assert not r.ok() and r.table["test-attempt-done"]["different"] == 1


def test_other_field_must_be_identical():
    r = judge.judge([done(1000, "pass")], [done(1000, "fail")])
    assert not r.ok()


def test_number_types_must_match():
    r = judge.judge([done(1000, extra={"exit_code": 0})], [done(1000, extra={"exit_code": 0.0})])
    assert not r.ok()


def test_unpaired_events_fail_both_ways():
    assert judge.judge([done(1)], []).problems[0].startswith("MISSING")
    assert judge.judge([], [done(1)]).problems[0].startswith("EXTRA")
