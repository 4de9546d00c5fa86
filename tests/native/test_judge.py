"""test_judge: the per-field comparison of judge.py on hand-made event pairs — every
difference that is not a time value fails, a time value only beyond the tolerance."""

import json

import judge
import preempt

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


# The library's clock stops at the reap (t_complete); it fires its probe time_to_close
# later.  A runner thread preempted right after that reap delays both the library's probe
# and nextest's own clock reading: `many` at load 12 (20.2 ms waited, nextest's probe
# 0.25 ms after the library's).
MS = 10**6


def attempt(duration, ttc, t_ns, tid=1):
    return done(duration, extra={"time_to_close_fds_nanos": ttc}, tid=tid, t_ns=t_ns)


def preempted_after_reap():
    t_complete, wait = 10**9, 20 * MS
    shim = attempt(50 * MS, wait + 30_000, t_complete + wait + 30_000)
    native = attempt(50 * MS + wait + 200_000, 2_000, t_complete + wait + 250_000)
    return native, shim, (t_complete + 10_000, t_complete + 10_000 + wait)


def test_wait_between_the_librarys_clock_stop_and_its_probe_is_allowed():
    native, shim, span = preempted_after_reap()
    r = judge.judge([native], [shim], preempt.Waits({7: [span]}))
    assert r.ok(), r.problems
    assert r.table["test-attempt-done"]["tolerance"] == 1
    # the duration (arg0 and its scalar copy) and the time to close were off by the wait,
    # each excused by it
    assert sorted(x[1] for x in r.excused) == ["arg0.ok.duration_nanos", "arg0.ok.time_to_close_fds_nanos",
                                               "arg5 duration_nanos"]


def test_the_same_difference_without_that_wait_fails():
    native, shim, span = preempted_after_reap()
    for waits in ({}, {7: [(span[0] - 40 * MS, span[1] - 40 * MS)]}):
        r = judge.judge([native], [shim], preempt.Waits(waits))
        assert not r.ok()
        assert any("duration_nanos" in p for p in r.problems)
        assert any("time_to_close_fds_nanos" in p for p in r.problems)


def test_a_wait_explains_no_more_than_itself():
    native, shim, span = preempted_after_reap()
    short = (span[0], span[0] + 10 * MS)     # half the difference waited: 10 ms unexplained
    assert not judge.judge([native], [shim], preempt.Waits({7: [short]})).ok()


# The output check's rule for LEAK lines (run_native.leak_lines_explained): a LEAK line in
# the library's run only is accepted when nextest's own test-attempt-done in that run
# reports the attempt leaked.

import types  # noqa: E402

import run_native  # noqa: E402


def stderr(status="PASS", summary="3 passed"):
    return ("────────────\n"
            " Nextest run ID 6a9012bd-cafe-4bee-8d0f-0123456789ab with nextest profile: default\n"
            "    Starting 3 tests across 1 binary (10 tests skipped)\n"
            "        PASS [   0.004s] fx-tests many::t01\n"
            f"{status:>12} [   0.814s] fx-tests many::t02\n"
            "        PASS [   0.003s] fx-tests many::t03\n"
            "────────────\n"
            f"     Summary [   0.820s] 3 tests run: {summary}, 10 skipped\n").encode()


def output_run(shim_err, plain_err):
    s = types.SimpleNamespace(name="many", compare="sorted-lines", actions=[])
    return types.SimpleNamespace(s=s, cols=None, compare="sorted-lines",
                                 shim=(0, b"", shim_err, None), plain=(0, b"", plain_err, None))


def native_done(test, leaked, result):
    ok = {"attempt_id": f"r:fx-tests${test}", "binary_id": "fx-tests", "test_name": test,
          "result": result, "leaked": leaked}
    return {"probe": "test-attempt-done", "t_ns": 1, "tid": 1,
            "arg0": json.dumps({"ok": ok}), "args": [ok["attempt_id"]]}


LEAKY = stderr("LEAK", "3 passed (1 leaky)")


def test_leak_line_confirmed_by_nextests_probe_is_accepted():
    run = output_run(LEAKY, stderr())
    assert run_native.output_differences(run, run.plain[:3])     # the outputs differ
    assert run_native.leak_lines_explained(run, [native_done("many::t02", True, "leak")])
    assert run.shim[2] == LEAKY                                  # left as it was


def test_leak_line_without_nextests_confirmation_is_not_accepted():
    run = output_run(LEAKY, stderr())
    assert not run_native.leak_lines_explained(run, [native_done("many::t02", False, "pass")])
    assert not run_native.leak_lines_explained(run, [])
    # nextest's probe says another test leaked
    assert not run_native.leak_lines_explained(run, [native_done("many::t03", True, "leak")])


def test_leak_line_must_be_the_only_difference():
    shim = LEAKY.replace(b"PASS [   0.003s] fx-tests many::t03", b"FAIL [   0.003s] fx-tests many::t03")
    run = output_run(shim, stderr())
    assert not run_native.leak_lines_explained(run, [native_done("many::t02", True, "leak")])
    # the summary's leaky count must be one more than without the library, not more
    run = output_run(stderr("LEAK", "3 passed (2 leaky)"), stderr())
    assert not run_native.leak_lines_explained(run, [native_done("many::t02", True, "leak")])


def test_slow_and_leak_lines_together():
    shim = stderr("SLOW + LEAK", "3 passed (1 slow, 1 leaky)")
    run = output_run(shim, stderr("SLOW", "3 passed (1 slow)"))
    assert run_native.leak_lines_explained(run, [native_done("many::t02", True, "leak")])
