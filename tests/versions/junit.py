"""nextest's own JUnit report of a run as the truth for the library's test-attempt probes.

Owns: reading nextest's JUnit XML (`[profile.<p>.junit] path`, written under
<target-dir>/nextest/<profile>/) into per-test attempt lists, and comparing them with the
captured test-attempt-done events of the same run, field by field where the report has the
field.  Used by tests/e2e/run_e2e.py --junit (make check-versions) for real releases
without native probes, and as a second witness for those with.

How nextest writes a test (nextest-runner `reporter/aggregator` at cargo-nextest-0.9.72
and later, quick-junit):
  success          <testcase time=T>                      one attempt, T its duration
  flaky            <testcase time=T><flakyFailure time=…>… the failed attempts in order,
                                                          then the passing one (T)
  failure          <testcase time=T><failure type=…/>      the FIRST attempt (T), then
                   <rerunFailure time=…>…                 the retries in order
  stress run       one suite per sub-run, "<binary id>@stress-<i>" (0.9.103+)
  flaky-fail       <testcase><failure type="flaky failure"/><flakyFailure …>  (0.9.131+:
                   flaky-result = "fail"; the testcase is the passing last attempt)
The failure `type` names the result: "test failure" / "test abort" (fail; from about
0.9.100 "… with exit code N", compared with exit_code), "test timeout" (timeout),
"execution failure" (exec-fail), "test passed but leaked handles" / "test exited with code
0, but leaked handles so was marked failed" (a leak that fails), "… (leaked handles)" /
"… with leaked handles" (fail with leaked = true).  A timeout with on-timeout = "pass" is
a success.  Setup scripts (0.9.106 and later at least) are test cases of a suite
"@setup-script:<id>" ("script failure with exit code N"), compared with setup-script-done.
The root <testsuites uuid=… time=…> carries the run id and the run's elapsed time (paused
time excluded), compared with run-start / run-done.
Times are seconds with three decimals (records.py: the tolerance, plus half a
millisecond of rounding).  Skipped tests are not written (nor probed).
XML 1.0 cannot carry most control characters: the report drops every character below 0x20
from test names (a name with a tab or \x01 appears without it), so probed names are
matched with those removed.  Older releases (0.9.48, 0.9.72) write them raw (_root).
"""

import re
import xml.etree.ElementTree as ET

import records

ROUNDING_NS = 500_000
# control characters XML 1.0 forbids (tab, newline and carriage return are allowed)
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

NON_SUCCESS = ("failure", "error")
RERUNS = ("flakyFailure", "flakyError", "rerunFailure", "rerunError")


def result_class(kind_type):
    """(result, leaked, exit code or None) that a failure `type` string stands for."""
    t = (kind_type or "").lower()
    code = re.search(r"exit code (-?[0-9]+)", t)
    code = int(code.group(1)) if code else None
    if "timeout" in t or "timed out" in t:
        return "timeout", None, None
    if "execution failure" in t:
        return "exec-fail", None, None
    if "passed but leaked" in t or "marked failed" in t:
        return "leak", True, None
    return "fail", ("leaked" in t) or None, code


def _secs(s):
    return round(float(s) * 1e9)


def _root(path):
    """The report's root element.  Old releases write control characters raw: those XML
    forbids are dropped, and a raw tab or carriage return (allowed, but an XML parser turns
    it into a space inside an attribute value) becomes a character reference, which keeps
    it; the names are then matched with every character below 0x20 removed, as newer
    releases write them."""
    with open(path, "rb") as f:
        data = _RAW_CONTROL.sub(b"", f.read())
    return ET.fromstring(data.replace(b"\t", b"&#9;").replace(b"\r", b"&#13;"))


def load_run(path):
    """(run id, run time in ns) from <testsuites uuid=… time=…>: the run's id and its
    elapsed time, paused time excluded; None where the report has no such attribute."""
    root = _root(path)
    t = root.get("time")
    return root.get("uuid"), (_secs(t) if t is not None else None)


def load(path):
    """{(suite, test_name): [attempt, …]} in attempt order; attempt = {"ok", "result",
    "leaked", "time_ns"} (result None for a success)."""
    root = _root(path)
    out = {}
    # the suite's name is the binary id (or "@setup-script:<id>"), with "@stress-<i>" in a
    # stress run (0.9.103+), where the test case's classname stays the bare binary id
    cases = [(suite.get("name"), case) for suite in root.iter("testsuite") for case in suite.iter("testcase")]
    for suite, case in cases:
        key = (xml_name(suite), xml_name(case.get("name")))
        main = {"ok": True, "result": None, "leaked": None, "code": None,
                "time_ns": _secs(case.get("time", "0"))}
        reruns = []
        flaky_fail = False
        for child in case:
            if child.tag in NON_SUCCESS and child.get("type") == "flaky failure":
                flaky_fail = True             # the testcase itself is the passing attempt
            elif child.tag in NON_SUCCESS:
                main["ok"] = False
                main["result"], main["leaked"], main["code"] = result_class(child.get("type"))
            elif child.tag in RERUNS:
                r, leaked, code = result_class(child.get("type"))
                reruns.append({"ok": False, "result": r, "leaked": leaked, "code": code,
                               "time_ns": _secs(child.get("time", "0"))})
        if main["ok"] or flaky_fail:
            attempts = reruns + [main]    # flaky: the failures came first
        else:
            attempts = [main] + reruns    # failure: the first attempt, then the retries
        if key in out:
            raise ValueError(f"{path}: {key} reported twice")
        out[key] = attempts
    return out


def xml_name(s):
    """s as it survives in the report: quick-junit drops every character below 0x20 (even
    the tab, which XML 1.0 could hold)."""
    return "".join(c for c in s if ord(c) >= 0x20)


def attempt_times(report, binary, test):
    """Attempt times (ns) of `test` of `binary` (any stress sub-run) in a load() report."""
    b, t = xml_name(binary), xml_name(test)
    return [a["time_ns"] for (suite, name), attempts in report.items()
            if name == t and (suite == b or suite.startswith(b + "@stress-"))
            for a in attempts]


def _stress(a):
    return "" if a.get("stress_current") is None else f"@stress-{a['stress_current']}"


def _done_events(capture):
    by_test = {}
    for a in records.probed(capture, "test-attempt-done"):
        suite = xml_name(a["binary_id"]) + _stress(a)
        by_test.setdefault((suite, xml_name(a["test_name"])), []).append(a)
    for a in records.probed(capture, "setup-script-done"):
        a = dict(a, attempt=1, leaked=None)
        sid = a["script_id"]
        by_test.setdefault((xml_name("@setup-script:" + sid) + _stress(a), xml_name(sid)), []).append(a)
    for v in by_test.values():
        v.sort(key=lambda a: a["attempt"])
    return by_test


def compare(junit, capture, preempted=None, run=None):
    """(problems, counts) for one run: junit = load(path), capture = captured events,
    preempted = the runner threads' measured waits for a CPU (records.py), run =
    load_run(path): compared with run-start / run-done (run id exact, run-done's
    duration_nanos within the tolerance)."""
    t = records.Tally("JUNIT")
    if run is not None:
        uuid, time_ns = run
        for probe in ("run-start", "run-done"):
            evs = records.probed(capture, probe)
            if len(evs) != 1:
                t.problem(f"{probe}: probed {len(evs)} times")
                continue
            if uuid is not None and evs[0]["run_id"] != uuid:
                t.problem(f"{probe} run_id {evs[0]['run_id']} (report: {uuid})")
            if probe == "run-done" and time_ns is not None:
                d = records.time_problem("run-done duration_nanos", evs[0]["duration_nanos"], time_ns,
                                         "report", ROUNDING_NS)
                if d:
                    t.problem(d)
    for key, j, p in t.pair(junit, _done_events(capture), lambda k: f"{k[0]} {k[1]}",
                            "nextest's report"):
        name = f"{key[0]} {key[1]}"
        t.counts["tests"] += 1
        if len(j) != len(p):
            t.problem(f"{name}: {len(j)} attempt(s) in the report, {len(p)} probed "
                      f"(attempts {[a['attempt'] for a in p]})")
            continue
        for i, (ja, pa) in enumerate(zip(j, p), 1):
            t.counts["attempts"] += 1
            bad = []
            if pa["attempt"] != i:
                bad.append(f"attempt {pa['attempt']} (report: {i})")
            # a leak or a timeout is a success when the profile says so (result = "pass")
            ok = pa["result"] == "pass" or (pa["result"] in ("leak", "timeout") and ja["ok"])
            if ok != ja["ok"]:
                bad.append(f"result {pa['result']} (report: {'success' if ja['ok'] else ja['result']})")
            elif not ja["ok"]:
                if pa["result"] != ja["result"]:
                    bad.append(f"result {pa['result']} (report: {ja['result']})")
                if ja["leaked"] is not None and pa.get("leaked") is not None \
                        and bool(pa["leaked"]) != ja["leaked"]:
                    bad.append(f"leaked {pa['leaked']} (report: {ja['leaked']})")
                if ja["code"] is not None and pa.get("exit_code") != ja["code"]:
                    bad.append(f"exit_code {pa.get('exit_code')} (report: {ja['code']})")
            t.judge_duration(f"{name} attempt {i}", bad, pa, ja["time_ns"], "report", preempted,
                             ROUNDING_NS)
    if not junit:
        t.problems.append("JUNIT: nextest's report lists no test")
    return t.problems, t.counts
