"""test_records: the readers and comparisons of nextest's own records (JUnit report,
libtest-json stream, run recording), the signal timing of the capture, and the argument
spelling for old releases — what `make check-versions` relies on, checked without a real
nextest (`make versions-selftest`, part of `make check`).
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import capture  # noqa: E402
import junit  # noqa: E402
import leaklines  # noqa: E402
import libtest  # noqa: E402
import nextest_config  # noqa: E402
import recording  # noqa: E402
import records  # noqa: E402

RUN = "55925561-d282-4402-ae72-848427c130fd"


def ev(probe, **ok):
    return {"probe": probe, "arg0": json.dumps({"ok": ok}), "args": [], "t_ns": 0, "tid": 1}


def done(binary, test, attempt, result="pass", duration=100_000_000, exit_code=0, leaked=False,
         total=1, stress=None):
    return ev("test-attempt-done", binary_id=binary, test_name=test, attempt=attempt,
              total_attempts=total, result=result, exit_code=exit_code, duration_nanos=duration,
              leaked=leaked, stress_current=stress)


# ---- records.py ----

def test_tolerance_is_20ms_plus_2_percent():
    assert records.tolerance_ns(0) == 20_000_000
    assert records.tolerance_ns(1_000_000_000) == 40_000_000
    assert records.time_problem("d", 1_040_000_000, 1_000_000_000, "x") is None
    assert records.time_problem("d", 1_040_000_001, 1_000_000_000, "x")


def test_judge_duration_counts_exact_within_preempted_and_different():
    """The one duration check every record comparison makes (junit, libtest, recording)."""
    t = records.Tally("T")
    p = lambda ns: {"duration_nanos": ns, "_t_ns": 2_000_000_000, "_tid": 9}  # noqa: E731
    t.judge_duration("a", [], p(1_000_000_000), 1_000_000_000, "rec", None)
    t.judge_duration("b", [], p(1_030_000_000), 1_000_000_000, "rec", None)
    t.judge_duration("c", ["result x"], p(1_000_000_000), 1_000_000_000, "rec", None)
    t.judge_duration("d", [], p(1_041_000_000), 1_000_000_000, "rec", None, rounding_ns=500_000)
    # 50 ms shorter than the record: 10 ms past the tolerance, covered by the runner thread's
    # measured 15 ms wait for a CPU right after the library's clock stopped
    t.judge_duration("e", [], p(950_000_000), 1_000_000_000, "rec", {9: [(2_001_000_000, 2_016_000_000)]})
    t.judge_duration("f", [], p(950_000_000), 1_000_000_000, "rec", {9: [(2_001_000_000, 2_005_000_000)]})
    assert t.counts == {"tests": 0, "attempts": 0, "exact": 1, "within": 1, "different": 3,
                        "preempted": 1}, t.counts
    assert [x.split(":")[0] for x in t.problems] == ["T c", "T d", "T f"], t.problems
    assert "duration_nanos 1041000000 (rec: 1000000000, ±40.5 ms)" in t.problems[1]
    assert "+ 4.0 ms preempted" in t.problems[2]


# ---- junit.py ----

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3" failures="1" errors="0" uuid="55925561-d282-4402-ae72-848427c130fd" time="1.018">
  <testsuite name="fx-basic" tests="3">
    <testcase name="ok_test" classname="fx-basic" time="0.100"></testcase>
    <testcase name="flaky" classname="fx-basic" time="0.200">
      <flakyFailure type="test failure with exit code 101" time="0.050"/>
    </testcase>
    <testcase name="failing" classname="fx-basic" time="0.300">
      <failure type="test failure with exit code 3"/>
      <rerunFailure type="test failure with exit code 3" time="0.310"/>
    </testcase>
    <testcase name="ctrl\x01char" classname="fx-basic" time="0.010"></testcase>
    <testcase name="tab\there" classname="fx-basic" time="0.010"></testcase>
  </testsuite>
</testsuites>
"""


@pytest.fixture
def junit_file(tmp_path):
    p = tmp_path / "junit.xml"
    p.write_bytes(JUNIT.encode())   # a raw \x01, as 0.9.48 writes it
    return str(p)


def junit_capture():
    return [done("fx-basic", "ok_test", 1),
            done("fx-basic", "flaky", 1, "fail", 50_000_000, 101, total=2),
            done("fx-basic", "flaky", 2, "pass", 200_000_000, total=2),
            done("fx-basic", "failing", 1, "fail", 300_000_000, 3, total=2),
            done("fx-basic", "failing", 2, "fail", 310_000_000, 3, total=2),
            done("fx-basic", "ctrl\x01char", 1, duration=10_000_000),
            done("fx-basic", "tab\there", 1, duration=10_000_000)]


def test_junit_reads_attempt_structure_and_raw_control_characters(junit_file):
    j = junit.load(junit_file)
    assert [a["ok"] for a in j[("fx-basic", "flaky")]] == [False, True]
    assert [a["time_ns"] for a in j[("fx-basic", "failing")]] == [300_000_000, 310_000_000]
    assert j[("fx-basic", "failing")][0]["code"] == 3
    assert ("fx-basic", "ctrlchar") in j
    assert ("fx-basic", "tabhere") in j and ("fx-basic", "tab here") not in j


def test_junit_run_id_and_time_compared_with_run_probes(junit_file):
    run = junit.load_run(junit_file)
    assert run == (RUN, 1_018_000_000)
    cap = junit_capture() + [ev("run-start", run_id=RUN), ev("run-done", run_id=RUN, duration_nanos=1_030_000_000)]
    problems, _ = junit.compare(junit.load(junit_file), cap, None, run)
    assert problems == [], problems
    cap[-1] = ev("run-done", run_id=RUN, duration_nanos=1_118_000_000)   # a pause counted as running
    cap[-2] = ev("run-start", run_id="x")
    problems, _ = junit.compare(junit.load(junit_file), cap, None, run)
    assert any("run-done duration_nanos 1118000000" in p for p in problems), problems
    assert any("run-start run_id x" in p for p in problems), problems


def test_junit_equal_run_has_no_problem(junit_file):
    problems, counts = junit.compare(junit.load(junit_file), junit_capture())
    assert problems == []
    assert counts["tests"] == 5 and counts["attempts"] == 7


@pytest.mark.parametrize("change, expect", [
    (lambda c: c.__setitem__(0, done("fx-basic", "ok_test", 1, duration=123_000_000)), "duration_nanos"),
    (lambda c: c.__setitem__(3, done("fx-basic", "failing", 1, "fail", 300_000_000, 4, total=2)), "exit_code 4"),
    (lambda c: c.__setitem__(2, done("fx-basic", "flaky", 2, "fail", 200_000_000, 1, total=2)), "result fail"),
    (lambda c: c.pop(4), "2 attempt(s) in the report, 1 probed"),
    (lambda c: c.append(done("fx-basic", "extra", 1)), "probed, not in nextest's report"),
])
def test_junit_difference_is_reported(junit_file, change, expect):
    cap = junit_capture()
    change(cap)
    problems, _ = junit.compare(junit.load(junit_file), cap)
    assert any(expect in p for p in problems), problems


# ---- libtest.py ----

STREAM = (b'{"type":"suite","event":"started","test_count":2}\n'
          b'{"type":"test","event":"started","name":"fx-basic::retry$flaky"}\n'
          b'{"type":"test","event":"ok","name":"fx-basic::retry$flaky#2","exec_time":0.2}\n'
          b'{"type":"test","event":"failed","name":"fx-basic::fx_basic$bad","exec_time":0.05}\n'
          b'{"type":"test","event":"ignored","name":"fx-basic$skipped"}\n')


def test_libtest_stream_compares_last_attempt():
    cap = [done("fx-basic::retry", "flaky", 1, "fail", 10, 101, total=2),
           done("fx-basic::retry", "flaky", 2, "pass", 200_000_000, total=2),
           done("fx-basic", "bad", 1, "fail", 50_000_000, 101)]
    problems, counts = libtest.compare(libtest.parse(STREAM), cap)
    assert problems == [] and counts["tests"] == 2
    cap[1] = done("fx-basic::retry", "flaky", 2, "pass", 300_000_000, total=2)
    problems, _ = libtest.compare(libtest.parse(STREAM), cap)
    assert any("duration_nanos 300000000" in p for p in problems), problems


# ---- recording.py ----

def rec_lines():
    ti = {"binary-id": "fx-basic::retry", "name": "flaky"}
    stats = {}
    return [
        {"type": "core", "kind": "run-started", "run-id": RUN, "profile-name": "default"},
        {"type": "core", "kind": "test-started", "stress-index": None, "test-instance": ti,
         "slot-assignment": {"global-slot": 0, "group-slot": None, "test-group": "@global"},
         "current-stats": stats},
        {"type": "core", "kind": "test-slow", "stress-index": None, "test-instance": ti,
         "retry-data": {"attempt": 1, "total-attempts": 2}, "elapsed": {"secs": 1, "nanos": 0},
         "will-terminate": False},
        {"type": "core", "kind": "test-retry-started", "stress-index": None, "test-instance": ti,
         "slot-assignment": {"global-slot": 0, "group-slot": None, "test-group": "@global"},
         "retry-data": {"attempt": 2, "total-attempts": 2}},
        {"type": "output", "kind": "test-finished", "stress-index": None, "test-instance": ti,
         "run-statuses": {"statuses": [
             {"retry-data": {"attempt": 1, "total-attempts": 2},
              "result": {"status": "fail", "failure": {"kind": "exit-code", "code": 101}, "leaked": False},
              "time-taken": {"secs": 1, "nanos": 200_000_000}},
             {"retry-data": {"attempt": 2, "total-attempts": 2}, "result": {"status": "pass"},
              "time-taken": {"secs": 0, "nanos": 6_000_000}}]}},
        {"type": "output", "kind": "setup-script-finished", "stress-index": None, "script-id": "db",
         "run-status": {"result": {"status": "pass"}, "time-taken": {"secs": 0, "nanos": 30_000_000}}},
        {"type": "core", "kind": "run-finished", "run-id": RUN, "elapsed": {"secs": 1, "nanos": 300_000_000}},
    ]


def rec_capture():
    start = dict(binary_id="fx-basic::retry", test_name="flaky", total_attempts=2, stress_current=None,
                 global_slot=0, group_slot=None, test_group=None)
    return [ev("run-start", run_id=RUN, profile_name="default"),
            ev("test-attempt-start", attempt=1, **start),
            ev("test-attempt-slow", binary_id="fx-basic::retry", test_name="flaky", attempt=1,
               stress_current=None, elapsed_nanos=1_000_000_000, will_terminate=False),
            done("fx-basic::retry", "flaky", 1, "fail", 1_201_000_000, 101, total=2),
            ev("test-attempt-start", attempt=2, **start),
            done("fx-basic::retry", "flaky", 2, "pass", 6_100_000, total=2),
            ev("setup-script-done", script_id="db", stress_current=None, result="pass",
               exit_code=None, duration_nanos=29_500_000),
            ev("run-done", run_id=RUN, profile_name="default", duration_nanos=1_301_000_000)]


def test_recording_equal_run_has_no_problem():
    problems, counts = recording.compare([dict(k) for k in rec_lines()], rec_capture())
    assert problems == [], problems
    assert counts["tests"] == 1 and counts["attempts"] == 3   # two attempts, one script


@pytest.mark.parametrize("index, field, value, expect", [
    (1, "global_slot", 1, "global_slot 1 (recording: 0)"),
    (2, "elapsed_nanos", 1_000_000_001, "slow"),
    (3, "exit_code", None, "exit_code None (recording: 101)"),
    (3, "duration_nanos", 1_260_000_000, "duration_nanos 1260000000"),
    (5, "duration_nanos", 40_000_000, "duration_nanos 40000000"),
    (6, "exit_code", 0, "exit_code 0 (recording: None)"),   # a passing script has none
    (7, "run_id", "x", "run_id 'x'"),
])
def test_recording_difference_is_reported(index, field, value, expect):
    cap = rec_capture()
    ok = json.loads(cap[index]["arg0"])["ok"]
    ok[field] = value
    cap[index] = dict(cap[index], arg0=json.dumps({"ok": ok}))
    problems, _ = recording.compare(rec_lines(), cap)
    assert any(expect in p for p in problems), problems


def test_recording_found_and_read(tmp_path):
    d = tmp_path / "state" / "projects" / "_sx" / "records" / "runs" / RUN
    d.mkdir(parents=True)
    raw = "".join(json.dumps({"timestamp": "t", "elapsed": {}, "kind": k}) + "\n" for k in rec_lines())
    subprocess.run(["zstd", "-q", "-o", str(d / "run.log.zst")], input=raw.encode(), check=True)
    path = recording.find(str(tmp_path / "state"), RUN)
    assert path and recording.load(path) == rec_lines()
    assert recording.find(str(tmp_path / "state"), "other") is None


def test_recording_store_starts_empty_with_no_retention_limit_in_reach(tmp_path):
    """nextest prunes its store on its own past 1.5 x max-records (default 100) and says so
    in that run's output only; a matrix records hundreds of runs."""
    old = tmp_path / "nextest-state" / "projects" / "_sx" / "records" / "runs" / RUN
    old.mkdir(parents=True)
    env = recording.enable({}, str(tmp_path))
    assert env["NEXTEST_STATE_DIR"] == str(tmp_path / "nextest-state")
    assert not (tmp_path / "nextest-state").exists()
    cfg = open(env["NEXTEST_USER_CONFIG_FILE"]).read()
    assert re.search(r"(?m)^max-records = (\d+)$", cfg) and \
        int(re.search(r"(?m)^max-records = (\d+)$", cfg).group(1)) >= 100_000


# ---- signals after the Starting line (tests/e2e/capture.py) ----

SCRIPT = "sleep 0.4; echo '    Starting 1 test across 1 binary' >&2; sleep 3; echo done"


@pytest.mark.parametrize("line, killed", [(True, True), (False, False)])
def test_signals_are_timed_from_the_starting_line(tmp_path, line, killed):
    script = SCRIPT if line else SCRIPT.replace("Starting", "Compiling")
    t0 = time.monotonic()
    p, _root = capture.Session([], str(tmp_path)).run(
        ["sh", "-c", script], timeout=30, actions=[(0.2, "SIGTERM")],
        actions_after=re.compile(rb"\bStarting\b"))
    took = time.monotonic() - t0
    if killed:
        assert p.returncode == -15 and 0.6 <= took < 3, (p.returncode, took)
        assert b"Starting" in p.stderr and b"done" not in p.stdout
    else:
        assert p.returncode == 0 and p.stdout == b"done\n"


# ---- arguments of old releases ----

def test_run_ignored_only_is_spelled_ignored_only_before_0_9_76():
    args = ["-j", "1", "--run-ignored", "only", "slow_"]
    assert nextest_config.args_for((0, 9, 72), args) == ["-j", "1", "--run-ignored", "ignored-only", "slow_"]
    assert nextest_config.args_for((0, 9, 76), args) == args
    assert nextest_config.args_for((0, 9, 48), ["--run-ignored", "all"]) == ["--run-ignored", "all"]


# ---- measured preemption (records.preemption_gap) ----

def test_shorter_duration_is_excused_only_by_measured_preemption(junit_file):
    cap = junit_capture()
    # ok_test: library 40 ms shorter than the report (100 ms), done fired at t=1 s by
    # thread 7, started on thread 7
    e = done("fx-basic", "ok_test", 1, duration=60_000_000)
    e.update(t_ns=1_000_000_000, tid=7, args=["id-ok"])
    cap[0] = e
    start = ev("test-attempt-start", binary_id="fx-basic", test_name="ok_test", attempt=1)
    start.update(t_ns=940_000_000, tid=7, args=["id-ok"])
    cap.insert(0, start)
    j = junit.load(junit_file)
    problems, _ = junit.compare(j, cap, None)
    assert any("duration_nanos 60000000" in p for p in problems), problems
    # the runner's thread 9 waited 25 ms for a CPU right after the library's end: excused
    problems, counts = junit.compare(j, cap, {9: [(1_000_000_000, 1_025_000_000)]})
    assert problems == [] and counts["preempted"] == 1, problems
    # a wait outside the gaps, or too short, excuses nothing
    for pre in ({9: [(1_100_000_000, 1_200_000_000)]}, {9: [(1_000_000_000, 1_010_000_000)]}):
        problems, _ = junit.compare(j, cap, pre)
        assert problems and "duration_nanos 60000000" in problems[0]
    # before the library's start (940 ms) only the spawning thread (7) counts
    problems, _ = junit.compare(j, cap, {8: [(905_000_000, 930_000_000)]})
    assert problems
    problems, _ = junit.compare(j, cap, {7: [(905_000_000, 930_000_000)]})
    assert problems == [], problems


def test_longer_duration_is_never_excused(junit_file):
    cap = junit_capture()
    e = done("fx-basic", "ok_test", 1, duration=140_000_000)
    e.update(t_ns=1_000_000_000, tid=7, args=["id-ok"])
    cap[0] = e
    problems, _ = junit.compare(junit.load(junit_file), cap, {7: [(0, 2_000_000_000)]})
    assert any("duration_nanos 140000000" in p for p in problems), problems


# ---- a recorded run's id, its unique prefix highlighted (tests/e2e/mask.py) ----

def test_run_id_with_highlighted_prefix_is_masked_whatever_the_prefix_length():
    import mask
    a = b"ID \x1b[35;1m6\x1b[0m\x1b[90m9012bdd-8ac4-400b-88cc-d585ecc39aad\x1b[0m with"
    b = b"ID \x1b[35;1m00\x1b[0m\x1b[90m43c6ea-209d-42a5-90fb-22793aeea375\x1b[0m with"
    assert mask.mask(a) == mask.mask(b) == b"ID \x1b[35;1m<UUID>\x1b[0m with"
    # hex around colour codes that is not a UUID stays
    c = b"\x1b[1mab\x1b[0m cd 12\x1b[0m3 dead\x1b[0mbeef"
    assert mask.mask(c) == c


# ---- SLOW lines that each run's own report accounts for (slowlines.py) ----

import slowlines  # noqa: E402

SHIM_ERR = (b"    Starting 3 tests across 1 binary\n"
            b"        PASS [   0.400s] fx-basic::measure measure_mem_64mib\n"
            b"        PASS [   1.090s] fx-basic::measure measure_cpu_200ms\n"
            b"     Summary [   1.600s] 3 tests run: 3 passed, 1051 skipped\n")
PLAIN_ERR = (b"    Starting 3 tests across 1 binary\n"
             b"        PASS [   0.400s] fx-basic::measure measure_mem_64mib\n"
             b"        SLOW [>  1.000s] (\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80) fx-basic::measure measure_cpu_200ms\n"
             b"        PASS [   1.190s] fx-basic::measure measure_cpu_200ms\n"
             b"     Summary [   1.700s] 3 tests run: 3 passed (1 slow, 1 flaky), 1051 skipped\n")


def report(tmp_path, name, secs):
    p = tmp_path / name
    p.write_text('<testsuites><testsuite name="fx-basic::measure">'
                 f'<testcase name="measure_cpu_200ms" time="{secs}"/></testsuite></testsuites>')
    return junit.load(str(p))


def test_slow_lines_and_summary_count_are_split_off():
    a, sa = slowlines.split(SHIM_ERR)
    b, sb = slowlines.split(PLAIN_ERR)
    assert sa == [] and sb == [("fx-basic::measure", "measure_cpu_200ms", 1_000_000_000)]
    assert b"SLOW" not in b and b"(1 flaky)" in b and b"slow" not in b
    assert slowlines.split(b"   SETUP SLOW [>  1.000s] db: sh x\n")[1] == [("@setup-script:db", "db", 1_000_000_000)]


@pytest.mark.parametrize("shim_t, plain_t, ok", [
    (0.990, 1.190, True),    # each run's report agrees with its line
    (1.030, 1.190, True),    # ended just before the timer fired, reported past 1 s: tolerance
    (1.100, 1.190, False),   # the shim run was past 1 s + tolerance, yet printed no SLOW
    (0.990, 0.950, False),   # the plain run printed SLOW, yet its report says 0.95 s
])
def test_slow_line_difference_explained_only_by_the_reports(tmp_path, shim_t, plain_t, ok):
    _, sa = slowlines.split(SHIM_ERR)
    _, sb = slowlines.split(PLAIN_ERR)
    problems = slowlines.explain(sa, sb, report(tmp_path, "a.xml", shim_t), report(tmp_path, "b.xml", plain_t))
    assert (problems == []) == ok, problems


def test_wait_inside_the_hook_before_the_done_fires_counts(junit_file):
    # the library's clock stopped at 1.000 s (start fired at 0.940 s, 60 ms), but its done
    # probe fired only at 1.047 s: the thread waited for a CPU in between, inside the hook
    cap = junit_capture()
    e = done("fx-basic", "ok_test", 1, duration=60_000_000)
    e.update(t_ns=1_047_000_000, tid=7, args=["id-ok"])
    cap[0] = e
    start = ev("test-attempt-start", binary_id="fx-basic", test_name="ok_test", attempt=1)
    start.update(t_ns=940_000_000, tid=7, args=["id-ok"])
    cap.insert(0, start)
    problems, counts = junit.compare(junit.load(junit_file), cap, {7: [(1_001_000_000, 1_046_000_000)]})
    assert problems == [] and counts["preempted"] == 1, problems
    assert records.library_clock(1_047_000_000, 940_000_000, 60_000_000) == (940_000_000, 1_000_000_000)
    assert records.library_clock(1_047_000_000, None, 60_000_000) == (987_000_000, 1_047_000_000)


@pytest.mark.parametrize("leaked, ok", [(True, True), (False, False)])
def test_longer_duration_excused_only_for_a_leaked_attempt(junit_file, leaked, ok):
    # the library's clock ran 40 ms past the report, to the runner's close of the pipes;
    # the closing thread (7) waited 25 ms for a CPU just before that close
    cap = junit_capture()
    e = done("fx-basic", "ok_test", 1, duration=140_000_000, leaked=leaked)
    e.update(t_ns=1_000_000_000, tid=7, args=["id-ok"])
    cap[0] = e
    problems, _ = junit.compare(junit.load(junit_file), cap, {7: [(970_000_000, 995_000_000)]})
    assert (problems == []) == ok, problems


def test_the_commands_output_pipes_hold_a_mebibyte():
    # nextest's runtime must not stall behind a write to a full pipe while the harness's
    # readers wait for a CPU: the pipes are widened to 1 MiB
    import fcntl
    r, w = os.pipe()
    with os.fdopen(r, "rb") as rf, os.fdopen(w, "wb") as wf:
        assert fcntl.fcntl(rf.fileno(), 1032) == 65536          # F_GETPIPE_SZ, the default
        capture._widen(rf, wf)
        assert fcntl.fcntl(rf.fileno(), 1032) == capture.PIPE_BYTES == 1 << 20
        wf.write(b"x" * 1_000_000)                               # fits without a reader
        wf.flush()



def test_setup_script_slow_line_is_keyed_by_its_report_case(tmp_path):
    _, sl = slowlines.split(b"  SETUP SLOW [>  1.500s] slow: sh scripts/setup-slow.sh\n")
    assert sl == [("@setup-script:slow", "slow", 1_500_000_000)]
    p = tmp_path / "j.xml"
    p.write_text('<testsuites><testsuite name="@setup-script:slow">'
                 '<testcase name="slow" time="1.700"/></testsuite></testsuites>')
    q = tmp_path / "k.xml"
    q.write_text('<testsuites><testsuite name="@setup-script:slow">'
                 '<testcase name="slow" time="1.450"/></testsuite></testsuites>')
    assert slowlines.explain(sl, [], junit.load(str(p)), junit.load(str(q))) == []
    assert slowlines.explain(sl, [], junit.load(str(q)), junit.load(str(p)))


def test_firing_time_may_exceed_its_limit_by_the_measured_wait():
    import truthdiff
    arg0 = json.dumps({"ok": {"run_id": RUN}})
    te = {"probe": "run-done", "arg0": arg0, "args": [json.dumps({"ok": RUN})], "t_ns": 1_000_000_000, "tid": 1}
    ce = dict(te, t_ns=1_000_000_000 - 236_000_000)
    assert any("t_ns" in x for x in truthdiff.compare_event(te, ce))
    assert not any("t_ns" in x for x in truthdiff.compare_event(te, ce, extra_t_ns=90_000_000))
    assert any("t_ns" in x for x in truthdiff.compare_event(te, ce, extra_t_ns=80_000_000))


# ---- a binary's libtest-json-plus suite split by timing (suitesplit.py) ----

import suitesplit  # noqa: E402


def plus_stream(order, tests=("pass_a", "pass_b", "pass_c", "pass_d"), ignored=("ign_x", "ign_y"),
                fail=()):
    """nextest's buffered libtest-json-plus writer (reporter/structured/libtest.rs at
    cargo-nextest-0.9.72) for one binary fed `order`: ("start"|"finish"|"skip", name)."""
    out, suite = [], None
    nx = '"nextest":{"crate":"fx-basic","test_binary":"fx_basic","kind":"lib"}'

    def name(t):
        return f"fx-basic::fx_basic${t}"

    def close(suite):   # finalize(): the tests still "running" count as filtered out
        return suite["out"] + [
            f'{{"type":"suite","event":"{"failed" if suite["failed"] else "ok"}","passed":{suite["ok"]},'
            f'"failed":{suite["failed"]},"ignored":{len(ignored)},"measured":0,'
            f'"filtered_out":{5 + suite["running"]},"exec_time":0.01,{nx}}}']
    for kind, t in order:
        if suite is None:
            suite = {"running": len(tests), "ok": 0, "failed": 0, "ign": [],
                     "out": [f'{{"type":"suite","event":"started","test_count":{len(tests) + len(ignored)},{nx}}}']}
        o = suite["out"]
        if kind == "finish" and suite["ign"]:
            o += suite["ign"]
            suite["ign"] = []
        if kind == "start" or kind == "skip":
            o.append(f'{{"type":"test","event":"started","name":"{name(t)}"}}')
        if kind == "skip":
            suite["running"] -= 1
            suite["ign"].append(f'{{"type":"test","event":"ignored","name":"{name(t)}"}}')
        if kind == "finish":
            suite["running"] -= 1
            ev = "failed" if t in fail else "ok"
            suite["ok" if ev == "ok" else "failed"] += 1
            o.append(f'{{"type":"test","event":"{ev}","name":"{name(t)}","exec_time":0.00{len(o)}}}')
        if suite["running"] == 0:
            out += close(suite)
            suite = None
    return ("\n".join(out + (close(suite) if suite else [])) + "\n").encode()  # RunFinished


STARTS = [("start", "pass_a"), ("start", "pass_b"), ("finish", "pass_a"), ("start", "pass_c"),
          ("finish", "pass_b"), ("start", "pass_d")]
SPLIT_3_1 = STARTS + [("finish", "pass_c"), ("skip", "ign_x"), ("skip", "ign_y"), ("finish", "pass_d")]
SPLIT_4_0 = STARTS + [("finish", "pass_c"), ("finish", "pass_d"), ("skip", "ign_x"), ("skip", "ign_y")]


def test_suite_split_by_timing_is_explained_by_each_runs_stream():
    a, b = plus_stream(SPLIT_3_1), plus_stream(SPLIT_4_0)
    assert a != b
    assert suitesplit.splits(a) == ["fx-basic::fx_basic passed 3+1"]
    assert suitesplit.splits(b) == ["fx-basic::fx_basic passed 4+0"]
    assert suitesplit.explain(a, b) == []


def test_suite_split_explains_nothing_else():
    a = plus_stream(SPLIT_3_1)
    # the same split in both runs: the difference (if any) is not a split
    assert suitesplit.explain(a, a) == ["no suite split differs between the runs"]
    # a test that failed in one run only
    bad = plus_stream(SPLIT_4_0, fail=("pass_d",))
    assert suitesplit.explain(a, bad) != []
    # a suite closed where nextest's counter was not 0 (after 2 of its 4)
    forged = plus_stream(SPLIT_4_0).replace(b'"passed":4', b'"passed":2')
    assert any("closed after" in p or "passed" in p for p in suitesplit.explain(a, forged))


def test_suite_split_reads_unescaped_test_names():
    # nextest writes a `"` in a test name raw (real 0.9.143, fx-hostile): not JSON
    raw = b'{"type":"test","event":"started","name":"fx-basic::fx_basic$fails "with" \\ output"}'
    lines = plus_stream(SPLIT_3_1).split(b"\n")
    data = b"\n".join(lines[:1] + [raw] + lines[1:])
    suites, _finished = suitesplit.parse(data)
    first = suites[("fx-basic", "fx_basic")][0]["events"][0]
    assert first == ("started", 'fx-basic::fx_basic$fails "with" \\ output')


# ---- leaklines.py ----

def test_leak_lines_and_leaky_count_are_split_off():
    shim = (b"        PASS [   0.005s] fx-many::many many::t0812\n"
            b"        LEAK [   0.286s] fx-many::many many::t0813\n"
            b"     Summary [  12.058s] 1000 tests run: 1000 passed (1 leaky), 54 skipped\n")
    plain = (b"        PASS [   0.005s] fx-many::many many::t0812\n"
             b"        PASS [   0.286s] fx-many::many many::t0813\n"
             b"     Summary [  12.058s] 1000 tests run: 1000 passed, 54 skipped\n")
    rest, leaks = leaklines.split(shim)
    assert rest == plain and leaks == [("fx-many::many", "many::t0813")]
    rest, _ = leaklines.split(b"     Summary [   1.000s] 3 tests run: 3 passed (1 slow, 2 leaky), 0 skipped")
    assert rest == b"     Summary [   1.000s] 3 tests run: 3 passed (1 slow), 0 skipped"
    # a LEAK-FAIL line is not a passing leak: left as it is
    assert leaklines.split(b"   LEAK-FAIL [   0.3s] b t")[1] == []


def leak_report(ns):
    return {("fx-many::many", "many::t0813"): [{"ok": True, "result": None, "leaked": None,
                                                 "code": None, "time_ns": ns}]}


@pytest.mark.parametrize("where, report_ns, waited_ns, version, expect", [
    ("shim", 286_000_000, 120_000_000, (0, 9, 106), None),
    ("shim", 286_000_000, 99_000_000, (0, 9, 106), "waited for a CPU 99.0 ms"),
    ("shim", 286_000_000, None, (0, 9, 106), "(not measured)"),
    ("shim", 90_000_000, 120_000_000, (0, 9, 106), "no attempt of the leak timeout"),
    ("shim", 150_000_000, 300_000_000, (0, 9, 143), "no attempt of the leak timeout (0.200 s)"),
    ("plain", 120_000_000, None, (0, 9, 106), None),     # the library was not in that run
    ("plain", 60_000_000, None, (0, 9, 106), "in the run without the library only"),
])
def test_leak_line_in_one_run_explained_by_report_and_measured_wait(where, report_ns, waited_ns,
                                                                     version, expect):
    key = [("fx-many::many", "many::t0813")]
    leaky, other = leak_report(report_ns), leak_report(5_000_000)
    args = (key, [], leaky, other) if where == "shim" else ([], key, other, leaky)
    problems, notes = leaklines.explain(*args, version, lambda b, t, ns: waited_ns)
    if expect is None:
        assert problems == [] and len(notes) == 1, problems
    else:
        assert len(problems) == 1 and expect in problems[0], problems
    # the same LEAK line in both runs explains nothing and needs nothing
    assert leaklines.explain(key, key, leaky, leaky, version) == ([], [])
