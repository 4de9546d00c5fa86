"""test_tools: the tests of tracer-scripts/ (pytest).

Owns: the checks of the Perfetto converter (golden output, validity, interruption), the
capture parser, every .bt script (compiled by bpftrace against the real library, and the
main ones run against simulator scenarios with their output checked), and every
`nextest-probes` subcommand and error message.  Each test carries its group as a marker.

Usage: pytest tests/tools/test_tools.py --build BUILD --sim NEXTEST_SIM [-m GROUP] [-k NAME]
       groups: converter capture compile command scripts examples usability native perfetto top
Writing the committed examples (make tools-examples; not a test run):
       python3 tests/tools/test_tools.py --build BUILD --sim NEXTEST_SIM --write-examples DIR
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from pytest_helpers import need_option

# The paths of this run (--root, --build, --sim, --write-examples): set once, by the
# session fixture `tools_args` under pytest or by main() when writing the examples.
ARGS = argparse.Namespace(root=os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")),
                          build=None, sim=None, write_examples=None, groups=[])
PROBES = ["run-start", "run-done", "test-attempt-start", "test-attempt-done",
          "test-attempt-slow", "setup-script-start", "setup-script-slow",
          "setup-script-done", "stress-sub-run-start", "stress-sub-run-done"]


class Fail(AssertionError):
    pass


def check(cond, msg):
    __tracebackhide__ = True        # pytest shows the caller's line
    if not cond:
        raise Fail(msg)


@pytest.fixture(scope="session", autouse=True)
def tools_args(pytestconfig):
    ARGS.root = os.path.abspath(pytestconfig.getoption("root") or ARGS.root)
    ARGS.build = os.path.abspath(need_option(pytestconfig, "build"))
    ARGS.sim = os.path.abspath(need_option(pytestconfig, "sim"))


# ---- paths and helpers --------------------------------------------------------------
def root(*p):
    return os.path.join(ARGS.root, *p)


def build(*p):
    return os.path.join(ARGS.build, *p)


def tool():
    return root("tracer-scripts", "nextest-probes")


def lib():
    """The private copy made by tools.mk (its own inode: see tools.mk)."""
    return build("tools", "private", "libnextest_probes.so")


def workspace():
    return root("tests", "fixtures", "workspace")


def sim_env(extra=None):
    env = dict(os.environ)
    env["NEXTEST_PROBES_LIB"] = lib()
    env["PATH"] = os.path.dirname(ARGS.sim) + ":" + env.get("PATH", "")
    env["CARGO_TARGET_DIR"] = build("fixtures-target")
    if extra:
        env.update(extra)
    return env


def run(cmd, env=None, cwd=None, timeout=300, input=None):
    return subprocess.run(cmd, env=env, cwd=cwd, timeout=timeout, input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace")


def scrub(stderr):
    """bpftrace's stderr without its harmless warnings (RLIMIT_MEMLOCK; unreadable
    available_filter_functions when debugfs is not mounted, printed by -d)."""
    warn = ('ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your '
            'program is not loading, you can try "ulimit -l 8192" to fix the problem')
    stderr = re.sub(r"Error while reading traceable functions from \S+: Operation not permitted",
                    "\n", stderr.replace(warn, "\n"))
    return "\n".join(l for l in stderr.splitlines() if l.strip())


def converter(args, input=None):
    return run([sys.executable, root("tracer-scripts", "nextest_perfetto.py")] + args, input=input)


def golden(*p):
    return root("tests", "tools", "golden", *p)


def load_lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


# ---- trace validation ---------------------------------------------------------------
def validate_trace(path):
    """Loads a trace and checks the invariants of nextest's shape; returns its events."""
    with open(path) as f:
        doc = json.load(f)
    check(set(doc) == {"traceEvents", "displayTimeUnit", "otherData"}, f"top-level keys {set(doc)}")
    check(doc["displayTimeUnit"] == "ms", "displayTimeUnit")
    evs = doc["traceEvents"]
    opened = {}
    flows = {}
    names = {}
    for e in evs:
        check(list(e)[:6] == ["name", "cat", "ph", "ts", "pid", "tid"], f"key order {list(e)}")
        check(e["ph"] in "BEMiCsf", f"phase {e['ph']}")
        check(isinstance(e["ts"], float), "ts is a float")
        key = (e["pid"], e["tid"])
        if e["ph"] == "M":
            names[(e["pid"], e["tid"], e["name"])] = e["args"]
        if e["ph"] in "BE" and e["cat"] in ("test", "setup-script"):
            check(e["tid"] >= 10000, f"span tid {e['tid']} < 10000")
            check((e["pid"], 0, "process_name") in names, f"pid {e['pid']} unnamed before use")
            check((e["pid"], e["tid"], "thread_name") in names, f"thread {key} unnamed before use")
        if e["ph"] == "B":
            check(key not in opened, f"nested B on {key}")
            opened[key] = e["name"]
        elif e["ph"] == "E":
            check(opened.pop(key, None) == e["name"], f"E without B on {key}: {e['name']}")
        elif e["ph"] == "s":
            flows[e["id"]] = key
        elif e["ph"] == "f":
            check(flows.pop(e["id"], None) == key, f"flow {e['id']} finish without start")
            check(e.get("bp") == "e", "flow finish binds to the enclosing slice")
    return doc, evs, opened


def trace_agrees_with_events(evs, events, time_tolerance_us=0):
    """Checks a Perfetto trace against the event lines it was made from, rule by rule, with
    code of its own (not the converter's): one span per attempt on the binary's pid (2, 3, …
    in order of first appearance) and slot thread (global_slot + 10000), opened and closed at
    the probes' times, with the done's result, duration and attempt; one retry flow per
    retried failure; the final results counter; setup scripts and stress sub-runs.
    Times are compared exactly, or within `time_tolerance_us` when the events are another
    observer's of the same run (the simulator's truth vs the library's live capture: the
    e2e harness's firing-time bound, tests/e2e/truthdiff.py T_NS_TOLERANCE)."""
    evs = [e for e in evs if e["ph"] != "M"]
    pids = {}
    want_b, want_e = [], []
    passed = flaky = failed = retries = 0
    for e in sorted(events, key=lambda e: e["t_ns"]):
        d = json.loads(e["arg0"]).get("ok", {}) if e["arg0"].startswith("{") else {}
        a = e["args"]
        if e["probe"] == "test-attempt-start":
            pid = pids.setdefault(a[1], 2 + len(pids))
            want_b.append((a[2], pid, 10000 + d["global_slot"], float(e["t_ns"] // 1000)))
        elif e["probe"] == "test-attempt-done":
            pid = pids[a[1]]
            want_e.append((a[2], pid, float(e["t_ns"] // 1000), a[3], a[4] / 1e6, d["attempt"], d["total_attempts"]))
            ok_ = a[3] in ("pass", "leak")
            if not ok_ and d["attempt"] < d["total_attempts"]:
                retries += 1
            elif ok_ and d["attempt"] > 1:
                flaky += 1
            elif ok_:
                passed += 1
            else:
                failed += 1
    tol = time_tolerance_us

    def same(got, want, times):
        """Equal tuples, the fields at indices `times` within the tolerance (µs; ms fields /1000)."""
        if len(got) != len(want):
            return False
        for g, w in zip(got, want):
            for i, (a, b) in enumerate(zip(g, w)):
                if i in times:
                    limit = tol if times[i] == "us" else tol / 1000.0
                    if abs(a - b) > limit:
                        return False
                elif a != b:
                    return False
        return True
    got_b = sorted((e["name"], e["pid"], e["tid"], e["ts"]) for e in evs if e["ph"] == "B" and e["cat"] == "test")
    check(same(got_b, sorted(want_b), {3: "us"}), f"attempt spans open: {got_b} vs {sorted(want_b)}")
    got_e = sorted((e["name"], e["pid"], e["ts"], e["args"]["result"]["status"], e["args"]["time_taken_ms"],
                    e["args"]["attempt"], e["args"]["total_attempts"]) for e in evs if e["ph"] == "E" and e["cat"] == "test")
    check(same(got_e, sorted(want_e), {2: "us", 4: "ms"}), f"attempt spans close: {got_e} vs {sorted(want_e)}")
    check(sum(e["ph"] == "s" for e in evs) == retries == sum(e["ph"] == "f" for e in evs), f"{retries} retry flows")
    res = [e["args"] for e in evs if e["name"] == "test results"]
    check(res and res[-1] == {"passed": passed, "flaky": flaky, "failed": failed}, f"results {res[-1:]}")
    scripts = [e["args"][1] for e in events if e["probe"] == "setup-script-start"]
    check(sorted(e["name"] for e in evs if e["ph"] == "B" and e["cat"] == "setup-script") == sorted(scripts),
          "one span per setup script")
    subs = sum(e["probe"] == "stress-sub-run-start" for e in events)
    check(sum(e["ph"] == "B" and e["name"] == "sub-run" for e in evs) == subs, f"{subs} stress sub-runs")
    runs = [e for e in events if e["probe"] in ("run-start", "run-done")]
    check(same([(e["ph"], e["ts"]) for e in evs if e["name"] == "test run"],
               [("B" if e["probe"] == "run-start" else "E", float(e["t_ns"] // 1000)) for e in runs], {1: "us"}),
          "the run span")


@pytest.mark.converter
def test_golden_traces_agree_with_their_events():
    for name in ("run", "stress"):
        _doc, evs, _o = validate_trace(golden(f"{name}.trace.json"))
        trace_agrees_with_events(evs, load_lines(golden(f"{name}.events.jsonl")))


# ---- converter ----------------------------------------------------------------------
@pytest.mark.converter
@pytest.mark.parametrize("name", ["run", "stress"])
def test_converter_golden(name):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = converter(["-o", out, "--events", golden(f"{name}.events.jsonl")])
        check(r.returncode == 0, r.stderr)
        check(open(out).read() == open(golden(f"{name}.trace.json")).read(),
              f"output differs from golden/{name}.trace.json")


@pytest.mark.converter
def test_converter_golden_is_valid_with_expected_events():
    doc, evs, still_open = validate_trace(golden("run.trace.json"))
    check(not still_open, f"spans left open: {still_open}")
    tests_b = [e for e in evs if e["ph"] == "B" and e["cat"] == "test"]
    check(len(tests_b) == 4, f"4 attempts begin, got {len(tests_b)}")
    check({e["pid"] for e in tests_b} == {2, 3}, "one pid per binary, from 2")
    check({e["tid"] for e in tests_b} == {10000, 10001}, "tid = global slot + 10000")
    retry = [e for e in tests_b if e["args"].get("attempt") == 2]
    check(len(retry) == 1 and retry[0]["args"]["total_attempts"] == 2, "retry begin args")
    check([e["ph"] for e in evs if e["name"] == "retry"] == ["s", "f"], "retry flow s then f")
    slow = [e for e in evs if e["name"] == "slow"]
    check(len(slow) == 1 and slow[0]["s"] == "t" and slow[0]["args"]["elapsed_secs"] == 0.06, "slow marker")
    res = [e["args"] for e in evs if e["name"] == "test results"]
    check(res[-1] == {"passed": 1, "flaky": 1, "failed": 1}, f"final results counter {res[-1]}")
    conc = [e["args"]["running_tests"] for e in evs if e["name"] == "concurrency"]
    check(max(conc) == 2 and conc[-1] == 0, f"concurrency counter {conc}")
    ends = [e for e in evs if e["ph"] == "E" and e["name"] == "tests::sleepy"]
    check(ends[0]["args"]["result"] == {"status": "fail"} and ends[0]["args"]["time_taken_ms"] == 199.8,
          "failed test end args")
    check(doc["otherData"]["run_id"] == "55459fda-13fe-406a-b4e3-0230fd52bb03", "otherData.run_id")
    check(any(e["ph"] == "B" and e["name"] == "db-setup" and e["pid"] == 1 and e["tid"] == 10000
              for e in evs), "setup script span on pid 1, tid 10000")


@pytest.mark.converter
def test_converter_closes_json_on_truncated_input():
    lines = open(golden("run.events.jsonl")).read().splitlines()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = converter(["-o", out, "--events", "-"], input="\n".join(lines[:6]) + "\n")
        check(r.returncode == 0, r.stderr)
        _doc, evs, still_open = validate_trace(out)
        check(("test run" in still_open.values()), "the run span stays open (run interrupted)")
        check(any(e["name"] == "tests::adds" for e in evs), "events before the cut are present")


@pytest.mark.converter
def test_converter_closes_json_on_sigterm():
    lines = open(golden("run.events.jsonl")).read().splitlines()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        p = subprocess.Popen([sys.executable, root("tracer-scripts", "nextest_perfetto.py"),
                              "-o", out, "--events", "-"], stdin=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        p.stdin.write("\n".join(lines[:5]) + "\n")
        p.stdin.flush()
        deadline = time.time() + 10
        while time.time() < deadline and not (os.path.exists(out) and "tests::adds" in open(out).read()):
            time.sleep(0.05)
        before = open(out).read()
        check(before.startswith('{"traceEvents":[') and "tests::adds" in before, "written live")
        check('"displayTimeUnit"' not in before, "not closed before the end")
        p.send_signal(signal.SIGTERM)
        p.wait(10)
        p.stdin.close()
        validate_trace(out)


@pytest.mark.converter
def test_converter_bpftrace_mode_golden():
    r = run([sys.executable, root("tracer-scripts", "nextest_capture.py"), "parse"],
            input=open(golden("capture.bpftrace.txt")).read())
    check(r.returncode == 0, r.stderr)
    got = [json.loads(l) for l in r.stdout.splitlines()]
    check(got == load_lines(golden("capture.events.jsonl")), "differs from golden/capture.events.jsonl")
    tad = [e for e in got if e["probe"] == "test-attempt-done"][0]
    want0 = '{"ok":{"attempt_id":"r:b$t","x":"' + "a" * 1000 + '"}}'
    check(tad["arg0"] == want0, "1036-byte arg0 read whole")
    check(tad["args"] == ["r:b$t", "b", "t", "pass", 5000000], f"scalar args {tad['args']}")


# ---- capture parser -------------------------------------------------------------------
@pytest.mark.capture
def test_capture_parser_marks_truncation_and_keys_interleaving():
    sys.path.insert(0, root("tracer-scripts"))
    import nextest_capture as c
    p = c.Parser()
    w = c.WORDS
    hexw = lambda b: b.ljust(8, b"\0")[:8][::-1].hex()   # little-endian word as %016lx
    lines = ["H run-start 7 1 100 1000 2000", "H run-start 8 1 101 3000 4000"]
    # tid 7: arg0 never terminated within ARG0_LINES lines
    for k in range(c.ARG0_LINES):
        lines.append(f"D 7 1 0 {k} " + " ".join([hexw(b"abcdefgh")] * w))
    lines.append(f"D 8 1 0 0 " + " ".join([hexw(b"{}")] + [hexw(b"")] * (w - 1)))
    lines.append(f"D 7 1 1 0 " + " ".join([hexw(b"id")] + [hexw(b"")] * (w - 1)))
    lines.append(f"D 8 1 1 0 " + " ".join([hexw(b"id8")] + [hexw(b"")] * (w - 1)))
    lines += ["E 8 1", "E 7 1", "Lost 3 events"]
    out = []
    for l in lines:
        out += p.feed(l + "\n")
    check([e["tid"] for e in out] == [8, 7], "completed in E order")
    check(out[0]["arg0"] == "{}" and out[0]["args"] == ["id8"] and "truncated" not in out[0], "tid 8 event")
    check(out[1]["truncated"] == [0] and len(out[1]["arg0"]) == c.ARG0_LINES * w * 8, "tid 7 cut")
    check(p.lost == 3, "lost events counted")


@pytest.mark.capture
def test_capture_round_trip_through_bpftrace():
    """Fires the golden events (long and hostile strings included) from a private fake
    probe library under `nextest-probes capture`; every argument comes back exact."""
    with tempfile.TemporaryDirectory() as d:
        spec = os.path.join(d, "spec")
        evs = load_lines(golden("run.events.jsonl"))
        hostile = dict(evs[3])
        hostile["args"] = list(hostile["args"])
        hostile["args"][2] = "x\"\\\t\u00e9\U0001f980 %s%n #2 @stress-1" + "n" * 600
        hostile["arg0"] = '{"ok":{"x":"' + "j" * 3000 + '"}}'
        evs.append(hostile)
        with open(os.path.join(d, "ev.jsonl"), "w") as f:
            for e in evs:
                f.write(json.dumps(e) + "\n")
        r = run([sys.executable, root("tests", "tools", "events2spec.py"), os.path.join(d, "ev.jsonl"), "2"])
        open(spec, "w").write(r.stdout)
        out = os.path.join(d, "cap.jsonl")
        env = dict(os.environ, NEXTEST_PROBES_LIB=build("tools", "libfakeprobes.so"))
        r = run([tool(), "capture", "-o", out, "--", build("tools", "fakeprobe_run"), spec, "2"], env=env)
        check(r.returncode == 0, f"status {r.returncode}: {scrub(r.stderr)}")
        got = load_lines(out)
        key = lambda e: (e["probe"], e["arg0"], json.dumps(e["args"]))
        check(sorted(map(key, got)) == sorted(map(key, evs)),
              f"{len(got)} events captured, {len(evs)} fired; contents differ")


# ---- compile every script ---------------------------------------------------------------
def bt_scripts():
    d = root("tracer-scripts")
    return sorted(f for f in os.listdir(d) if f.endswith(".bt"))


def all_bt_scripts():
    return bt_scripts() + ["extras/" + f for f in sorted(os.listdir(root("tracer-scripts", "extras")))
                           if f.endswith(".bt")]


@pytest.mark.compile
def test_every_bt_script_compiles_against_the_library():
    check(len(all_bt_scripts()) >= 16, f"scripts: {all_bt_scripts()}")
    bad = []
    for s in all_bt_scripts():
        r = run(["bpftrace", "-d", root("tracer-scripts", s), lib(), "10"], timeout=120)
        err = scrub(r.stderr)
        if r.returncode != 0 or err:
            bad.append(f"{s}: status {r.returncode}: {err[:300]}")
    check(not bad, "; ".join(bad))


@pytest.mark.compile
def test_every_bt_script_has_its_header_and_example():
    bad = []
    for s in all_bt_scripts():
        text = open(root("tracer-scripts", s)).read()
        if text.startswith("#!"):
            text = text.split("\n", 1)[1]
        head = text.split("*/")[0]
        ex = f"tracer-scripts/examples/{s[:-3]}.txt"
        if not text.startswith("/*") or "Run (as root)" not in head or ex not in head:
            bad.append(f"{s}: header must say what, how to run, and name {ex}")
        elif not os.path.isfile(root(ex)) or os.path.getsize(root(ex)) == 0:
            bad.append(f"{ex} missing or empty")
    check(not bad, "; ".join(bad))


@pytest.mark.compile
def test_capture_program_compiles():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "c.bt")
        r = run([sys.executable, root("tracer-scripts", "nextest_capture.py"), "program", lib()])
        open(p, "w").write(r.stdout)
        r = run(["bpftrace", "-d", p], timeout=300)
        check(r.returncode == 0 and not scrub(r.stderr), scrub(r.stderr)[:500])


# ---- nextest-probes: subcommands and errors ---------------------------------------------
def path_without(name):
    """A PATH directory holding links to everything on PATH except `name`."""
    d = tempfile.mkdtemp(prefix="tools-path-")
    for p in os.environ["PATH"].split(":"):
        if not os.path.isdir(p):
            continue
        for f in os.listdir(p):
            if f != name and not os.path.exists(os.path.join(d, f)):
                os.symlink(os.path.join(p, f), os.path.join(d, f))
    return d


@pytest.mark.command
def test_list_prints_the_ten_probes():
    r = run([tool(), "list"], env=sim_env())
    check(r.returncode == 0, r.stderr)
    want = sorted(f"usdt:{os.path.realpath(lib())}:nextest:{p}" for p in PROBES)
    check(sorted(l for l in r.stdout.split() if ":nextest:" in l) == want, f"got {r.stdout!r}")


@pytest.mark.command
def test_list_without_bpftrace_reads_the_notes():
    d = path_without("bpftrace")
    try:
        r = run([tool(), "list"], env=sim_env({"PATH": d}))
        check(r.returncode == 0, r.stderr)
        check(sorted(l for l in r.stdout.split() if ":nextest:" in l) ==
              sorted(f"usdt:{os.path.realpath(lib())}:nextest:{p}" for p in PROBES), r.stdout)
        check(sum(":nextest_extra:" in l for l in r.stdout.split()) == 6, r.stdout)
    finally:
        shutil.rmtree(d)


@pytest.mark.command
def test_lib_and_missing_library():
    r = run([tool(), "lib"], env=sim_env())
    check(r.returncode == 0 and r.stdout.strip() == os.path.realpath(lib()), r.stdout + r.stderr)
    r = run([tool(), "run", "--", "true"], env=sim_env({"NEXTEST_PROBES_LIB": "/nonexistent/lib.so"}))
    check(r.returncode == 3 and "library not found" in r.stderr, r.stderr)
    with tempfile.TemporaryDirectory() as d:   # a copy with neither ../lib nor ../build
        os.makedirs(os.path.join(d, "bin"))
        shutil.copy(tool(), os.path.join(d, "bin", "nextest-probes"))
        env = sim_env()
        del env["NEXTEST_PROBES_LIB"]
        r = run([os.path.join(d, "bin", "nextest-probes"), "run", "--", "true"], env=env)
        check(r.returncode == 3 and "library not found" in r.stderr and "make" in r.stderr, r.stderr)


@pytest.mark.command
def test_make_install_with_a_multiarch_libdir():
    """`make install PREFIX=P LIBDIR=P/lib/<triplet>`: the installed tool finds the library
    and the scripts (extras too) where make put them, from any directory."""
    with tempfile.TemporaryDirectory() as d:
        libdir = os.path.join(d, "lib", "x86_64-linux-gnu")
        r = run(["make", "-s", "-C", ARGS.root, "install", f"PREFIX={d}", f"LIBDIR={libdir}",
                 f"BUILD={ARGS.build}"], timeout=600)
        check(r.returncode == 0, r.stdout + r.stderr)
        np = os.path.join(d, "bin", "nextest-probes")
        env = sim_env()
        del env["NEXTEST_PROBES_LIB"]
        r = run([np, "lib"], env=env, cwd="/")
        check(r.returncode == 0 and r.stdout.strip() == os.path.join(libdir, "libnextest_probes.so"),
              r.stdout + r.stderr)
        for f in ("extras/crash-report.bt", "extras/hung-stacks.bt", "slowest.bt", "nextest_top.py",
                  "examples/slowest.txt"):
            check(os.path.isfile(os.path.join(d, "share", "libnextest_probes", f)), f"{f} installed")
        for f in ("share/man/man1/nextest-probes.1.gz", "share/bash-completion/completions/nextest-probes",
                  "share/doc/nextest-probes/README.md", "share/doc/nextest-probes/LICENSE-MIT"):
            check(os.path.isfile(os.path.join(d, f)), f"{f} installed")
        r = run([np, "trace", "extras/crash-report", "--", "true"], env=env, cwd="/")
        check(r.returncode == 0 and "script not found" not in r.stderr, r.stderr)
        out = os.path.join(d, "t.json")
        r = run([np, "perfetto", "-o", out, "--", "nextest-sim", "run", "--run-ignored", "only",
                 "fail_exit_3"], env=env, cwd=workspace())
        check(r.returncode == 100, f"status {r.returncode}: {scrub(r.stderr)[-300:]}")
        _doc, evs, _o = validate_trace(out)
        check(sum(e["ph"] == "B" and e["name"] == "fail_exit_3" for e in evs) == 1, "the test's span")
        r = run(["make", "-s", "-C", ARGS.root, "uninstall", f"PREFIX={d}", f"LIBDIR={libdir}",
                 f"BUILD={ARGS.build}"])
        check(r.returncode == 0 and not os.path.exists(np) and not os.path.exists(os.path.join(libdir, "libnextest_probes.so")),
              "uninstall removes them")
    r = run(["make", "-s", "-C", ARGS.root, "help", f"BUILD={ARGS.build}"])
    check(r.returncode == 0 and all(f"make {t}" in r.stdout for t in ("install", "uninstall", "deb", "check")),
          f"make help: {r.stdout}")


@pytest.mark.command
def test_run_appends_to_ld_preload_and_keeps_status():
    other = build("tools", "libfakeprobes.so")
    r = run([tool(), "run", "--", "sh", "-c", 'echo "$LD_PRELOAD"; exit 7'],
            env=sim_env({"LD_PRELOAD": other}))
    check(r.returncode == 7, f"status {r.returncode}")
    check(r.stdout.strip() == f"{other}:{os.path.realpath(lib())}", f"LD_PRELOAD={r.stdout!r}")
    r = run([tool(), "run", "sh", "-c", 'echo "$LD_PRELOAD"'], env=sim_env({"LD_PRELOAD": ""}))
    check(r.returncode == 0 and r.stdout.strip() == os.path.realpath(lib()), r.stdout)


@pytest.mark.command
def test_run_refuses_a_static_runner():
    r = run([tool(), "run", "--", build("tools", "static-hello")], env=sim_env())
    check(r.returncode == 3 and "statically linked" in r.stderr and "PT_INTERP" in r.stderr, r.stderr)
    check("static hello" not in r.stdout, "the command must not run")
    with tempfile.TemporaryDirectory() as d:   # `cargo nextest` resolves cargo-nextest on PATH
        shutil.copy(build("tools", "static-hello"), os.path.join(d, "cargo-nextest"))
        r = run([tool(), "run", "--", "cargo", "nextest", "run"],
                env=sim_env({"PATH": d + ":" + os.environ["PATH"]}))
        check(r.returncode == 3 and os.path.join(d, "cargo-nextest") in r.stderr
              and "statically linked" in r.stderr, r.stderr)
    d = path_without("cargo-nextest")
    try:
        r = run([tool(), "run", "--", "cargo", "nextest", "run"], env=sim_env({"PATH": d}))
        check(r.returncode == 3 and "cargo-nextest on PATH" in r.stderr, r.stderr)
    finally:
        shutil.rmtree(d)


@pytest.mark.command
def test_run_with_the_simulator_fires_nothing_unobserved():
    r = run([tool(), "run", "--", "nextest-sim", "run"], env=sim_env(), cwd=workspace())
    check(r.returncode == 0 and "30 passed" in r.stderr + r.stdout, (r.stdout + r.stderr)[-500:])


@pytest.mark.command
def test_usage_errors():
    r = run([tool()], env=sim_env())
    check(r.returncode == 2 and "nextest-probes trace" in r.stderr, f"no arguments: {r.stderr}")
    for argv, text in ((["frobnicate"], "unknown subcommand"),
                       (["trace", "--", "true"], "script file or -e"),
                       (["perfetto", "--", "true"], "needs -o"),
                       (["run"], "no command given")):
        r = run([tool()] + argv, env=sim_env())
        check(r.returncode == 2 and text in r.stderr, f"{argv}: {r.returncode} {r.stderr}")
    r = run([tool(), "trace", "/nonexistent.bt", "--", "true"], env=sim_env())
    check(r.returncode == 3 and "script not found" in r.stderr, r.stderr)


@pytest.mark.command
def test_trace_explains_missing_bpftrace():
    d = path_without("bpftrace")
    try:
        r = run([tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"],
                env=sim_env({"PATH": d}))
        check(r.returncode == 3 and "bpftrace not found" in r.stderr and "apt-get install bpftrace" in r.stderr,
              r.stderr)
    finally:
        shutil.rmtree(d)


@pytest.mark.command
def test_trace_explains_missing_privileges():
    if shutil.which("setpriv") is None:
        raise Fail("setpriv (util-linux) is needed for this test")
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
             tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"], env=sim_env())
    check(r.returncode == 3 and "needs root" in r.stderr and "CAP_BPF" in r.stderr, r.stderr)


@pytest.mark.command
def test_trace_explains_unmounted_tracefs():
    with tempfile.TemporaryDirectory() as d:
        r = run([tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"],
                env=sim_env({"NEXTEST_PROBES_TRACEFS": d}))
        check(r.returncode == 3 and "tracefs is not mounted" in r.stderr and "mount -t tracefs" in r.stderr,
              r.stderr)


@pytest.mark.command
def test_trace_explains_a_bpftrace_error():
    r = run([tool(), "trace", "-e", "usdt:$1:nextest:run-start { printf(\"%s\", str(arg3)); }",
             "--", "true"], env=sim_env())
    check(r.returncode == 4 and "bpftrace exited" in r.stderr and "argument" in r.stderr, r.stderr)


@pytest.mark.command
def test_trace_inline_program_with_begin_keeps_output_and_status():
    prog = ('BEGIN { printf("hello from BEGIN\\n"); } '
            'usdt:$1:nextest:run-start { printf("RUN-START %s\\n", str(arg1)); } '
            'usdt:$1:nextest:run-done { printf("RUN-DONE\\n"); }')
    r = run([tool(), "trace", "-e", prog, "--", "nextest-sim", "run", "--run-ignored", "only",
             "fail_exit_3"], env=sim_env(), cwd=workspace())
    check(r.returncode == 100, f"the command's status (100) expected, got {r.returncode}: {r.stderr[-400:]}")
    out = r.stdout.splitlines()
    check("hello from BEGIN" in out, "the script's own BEGIN still runs")
    check(not any("NEXTEST_PROBES_READY" in l for l in out), "sentinel hidden")
    check(sum(l.startswith('RUN-START {"ok":"') for l in out) == 1 and "RUN-DONE" in out, r.stdout)


# ---- scripts: live against simulator scenarios, and their committed examples ---------------
# Each script has a scenario; its check compares the script's output with the truth of the
# same run (the simulator's --truth file, or for examples made with real cargo-nextest, the
# capture of its native probes).  The same check runs live (group "scripts") and on the
# committed example and its events file (group "examples").
SCENARIOS = {
    "test-attempt-start": ([], []),
    "durations-hist": ([], []),
    "slowest": (["--param", "5"], []),
    "binary-durations": ([], []),
    "failures": ([], ["--run-ignored", "only", "fail_"]),
    "flaky": ([], ["-P", "retries", "--run-ignored", "only", "retry_"]),
    "progress": ([], ["-P", "stress", "--stress-count", "3"]),
    "concurrency": ([], ["-P", "groups"]),
    "setup-scripts": ([], ["-P", "scripts-slow", "--run-ignored", "only", "scripts_"]),
    "stress": ([], ["-P", "stress", "--stress-count", "3"]),
    "leaks": ([], ["--run-ignored", "only", "leak_grandchild"]),
    "events": ([], ["-P", "retries", "--run-ignored", "only", "retry_"]),
    "extras/crash-report": ([], ["--run-ignored", "only", "fail_segv"]),
    "extras/hung-stacks": ([], ["-P", "slow", "--run-ignored", "only", "-j", "1", "hang_threads"]),
    "extras/top-usage": ([], ["--run-ignored", "only", "measure_"]),
    "extras/cpu-vs-wall": ([], ["--run-ignored", "only", "measure_"]),
}
STRLEN = {"extras/crash-report": "120", "extras/hung-stacks": "120"}


def script_output(name, truth_dir):
    """(status, stdout, stderr, truth events) of `nextest-probes trace NAME -- nextest-sim run …`."""
    params, flags = SCENARIOS[name]
    truth = os.path.join(truth_dir, name.replace("/", "_") + ".jsonl")
    cmd = [tool(), "trace", name] + params + ["--", "nextest-sim", "run", "--truth", truth] + flags
    env = sim_env({"BPFTRACE_STRLEN": STRLEN[name]} if name in STRLEN else None)
    r = run(cmd, env=env, cwd=workspace())
    return r.returncode, r.stdout, r.stderr, load_lines(truth) if os.path.exists(truth) else []


def bpftrace_version():
    return run(["bpftrace", "--version"]).stdout.strip().replace("bpftrace ", "")


def example_paths(name):
    return (root("tracer-scripts", "examples", name + ".txt"),
            root("tracer-scripts", "examples", name + ".events.jsonl"))


def read_example(name):
    """(status, output lines, truth events, header lines) of a committed example."""
    txt, evs = example_paths(name)
    check(os.path.isfile(txt) and os.path.isfile(evs), f"{txt} and {evs} must exist (make tools-examples)")
    head, out = [], []
    for l in open(txt, encoding="utf-8").read().splitlines():
        (head if l.startswith("# ") and not out else out).append(l)
    m = [re.match(r"# exit status: (\d+)$", h) for h in head]
    st = [int(x.group(1)) for x in m if x]
    check(len(st) == 1, f"{txt}: header must give the exit status")
    return st[0], [l for l in out if l.strip()], load_lines(evs), head


def of(truth, probe):
    return [e for e in truth if e["probe"] == probe]


def binaries(truth):
    return sorted({e["args"][1] for e in of(truth, "test-attempt-done")})


def script_test_attempt_start(status, out, truth):
    check(status == 0, f"status {status}")
    n = len(of(truth, "test-attempt-start"))
    check(len(out) == n and all(l.startswith('{"ok":{"attempt_id":"') for l in out),
          f"{n} JSON lines expected, got {len(out)}: {out[:2]}")
    want = sorted(e["arg0"][:63] for e in of(truth, "test-attempt-start"))
    check(sorted(out) == want, "each line is arg0 cut at 63 bytes (BPFTRACE_STRLEN default)")


def script_durations_hist(status, out, truth):
    maps = sorted(l.split("[", 1)[1].split("]")[0] for l in out if l.startswith("@times["))
    check(maps == binaries(truth), f"one histogram per binary {binaries(truth)}: {maps}")


def script_slowest(status, out, truth):
    rows = [l for l in out if l.startswith("@slowest_ms[")]
    check(len(rows) == 5, f"top 5 rows, got {rows}")
    vals = [int(l.rsplit(":", 1)[1]) for l in rows]
    want = sorted(e["args"][4] // 1000000 for e in of(truth, "test-attempt-done"))[-5:]
    check(vals == sorted(vals), f"sorted: {rows}")
    check(all(abs(a - b) <= 20 for a, b in zip(vals, want)), f"top 5 {vals} vs truth {want}")


def script_binary_durations(status, out, truth):
    att = {l.split("[", 1)[1].split("]")[0]: int(l.rsplit(":", 1)[1]) for l in out if l.startswith("@attempts[")}
    want = {}
    for e in of(truth, "test-attempt-done"):
        want[e["args"][1]] = want.get(e["args"][1], 0) + 1
    check(att == want, f"attempt counts {att} vs truth {want}")
    check(sorted(l.split("[", 1)[1].split("]")[0] for l in out if l.startswith("@duration_ms["))
          == binaries(truth), "a histogram per binary")


def script_failures(status, out, truth):
    check(status == 100, f"status {status}")
    text = "\n".join(out)
    for name, how in (("fail_exit_3", "exit code 3"), ("fail_panic", "exit code 101"),
                      ("fail_abort", "signal 6"), ("fail_segv", "signal 11"), ("fail_assert", "exit code 101")):
        check(any(name in l and how in l and l.startswith("fail ") for l in out), f"{name}: {how}\n{text}")
    nfail = sum(1 for e in of(truth, "test-attempt-done") if e["args"][3] not in ("pass", "leak"))
    # the whole arg0 of each failure (not a 63-byte prefix): valid JSON equal to the truth's,
    # the measured times aside (the library measures them itself; docs/probes.md)
    timed = ("duration_nanos", "time_to_close_fds_nanos")
    def norm(j):
        d = json.loads(j)["ok"]
        return json.dumps({k: v for k, v in d.items() if k not in timed}, sort_keys=True)
    jsons = [l.strip()[len("json: "):] for l in out if l.strip().startswith("json: ")]
    try:
        got = sorted(norm(j) for j in jsons)
    except ValueError:
        raise Fail("json column is not whole JSON:\n" + "\n".join(j[:90] + f"… ({len(j)} bytes)" for j in jsons))
    want = sorted(norm(e["arg0"]) for e in of(truth, "test-attempt-done") if e["args"][3] not in ("pass", "leak"))
    check(got == want, f"arg0 of each failure ({nfail}) vs the truth:\n" + "\n".join(got) + "\n--\n" + "\n".join(want))
    check(any(l.startswith(f"@failures[fail]: {nfail}") for l in out), "count by result")


def script_flaky(status, out, truth):
    check(status == 100, f"status {status} (retry_always_fail fails)")
    want = {}
    for e in of(truth, "test-attempt-done"):
        d = json.loads(e["arg0"])["ok"]
        if e["args"][3] == "pass" and d["attempt"] > 1:
            want[(e["args"][1], e["args"][2])] = d["attempt"]
    check(len(want) == 2, f"the scenario has two flaky tests: {want}")
    for (b, t), n in want.items():
        check(any(f"FLAKY  {b} {t}  passed on attempt {n} " in l for l in out), f"{t} on {n}:\n" + "\n".join(out))
    check(sum(l.startswith("FLAKY") for l in out) == 2, "nothing else is flaky")
    check(sum(l.startswith("@flaky_passed_on_attempt[") for l in out) == 2, "table of 2")


def script_progress(status, out, truth):
    check(status == 0, f"status {status}")
    check(out[0] == "run started", out[0])
    check([l for l in out if l.startswith("[")], "at least one per-second line (the stress run lasts > 1 s)")
    check(len([l for l in out if l.startswith("run done after")]) == 1, "one run-done line")
    n = len(of(truth, "test-attempt-done"))
    check(f"@attempts_done: {n}" in out and f"@passed: {n}" in out, f"exact totals ({n}):\n" + "\n".join(out))
    check(not any(l.startswith("@failed") and l != "@failed: 0" for l in out), "no failures")


def script_concurrency(status, out, truth):
    rows = [l for l in out if l.startswith("t=")]
    check(rows, "timeline lines")
    peak = max(int(l.split("peak")[1]) for l in rows)
    slots = max(json.loads(e["arg0"])["ok"]["global_slot"] for e in of(truth, "test-attempt-start")) + 1
    # +1: the running counter is a plain map counter (see concurrency.bt's header)
    check(1 <= peak <= slots + 1, f"peak {peak} within the {slots} slots used")
    check(any(l.startswith("@concurrency:") for l in out), "histogram")


def script_setup_scripts(status, out, truth):
    for e in of(truth, "setup-script-start"):
        check(any(l.startswith(f"START {e['args'][1]} (pid {e['args'][2]})") for l in out), "\n".join(out))
    for e in of(truth, "setup-script-slow"):
        check(any(l.startswith(f"SLOW  {e['args'][1]} still running after") for l in out), "\n".join(out))
    for e in of(truth, "setup-script-done"):
        check(any(l.startswith(f"DONE  {e['args'][1]} {e['args'][2]} in ") for l in out), "\n".join(out))
    check(of(truth, "setup-script-slow") and of(truth, "setup-script-done"), "the scenario has slow scripts")


def script_stress(status, out, truth):
    check(status == 0, f"status {status}")
    n = len(of(truth, "stress-sub-run-done"))
    subs = [l for l in out if l.startswith("sub-run")]
    check(n == 3 and [int(l.split()[1].rstrip(":")) for l in subs] == [0, 1, 2], "\n".join(out))
    per = {}
    sub = None
    for e in sorted(truth, key=lambda e: e["t_ns"]):
        if e["probe"] == "stress-sub-run-start":
            sub = e["args"][1]
        elif e["probe"] == "test-attempt-done":
            per[sub] = per.get(sub, 0) + 1
    for k, v in per.items():
        check(f"@passed_in_sub_run[{k}]: {v}" in out, f"sub-run {k}: {v} passed\n" + "\n".join(out))
    check("@sub_runs: 3" in out, "total")


def script_leaks(status, out, truth):
    leaks = [l for l in out if l.startswith("LEAK")]
    want = [e for e in of(truth, "test-attempt-done") if e["args"][3] == "leak"]
    check(len(want) == 1 and len(leaks) == 1 and f"{want[0]['args'][1]} {want[0]['args'][2]} " in leaks[0],
          "\n".join(out))
    check(any(l.startswith(f"@leaks_per_binary[{want[0]['args'][1]}]: 1") for l in out), "count")


def script_events(status, out, truth):
    kinds = [l.split()[2] if l.split()[1] == "ms" else l.split()[1] for l in out]
    check(sorted(kinds) == sorted(e["probe"] for e in truth), f"one line per firing: {kinds}")
    check(kinds[0] == "run-start" and kinds[-1] == "run-done", kinds)


def script_crash_report(status, out, truth):
    crashed = [e for e in of(truth, "test-attempt-done") if e["args"][3] != "pass"]
    check(status == 100 and len(crashed) == 1 and crashed[0]["args"][2] == "fail_segv", f"status {status}")
    heads = [l for l in out if l.startswith("=== ")]
    check(len(heads) == 1 and "fail_segv" in heads[0] and "signal 11" in heads[0], "\n".join(out))
    frames = [l for l in out if l.strip().startswith("#")]
    check(len(frames) >= 3 and any("fail_segv" in l for l in frames), "a backtrace naming the test:\n" + "\n".join(out))


def script_hung_stacks(status, out, truth):
    slow = of(truth, "test-attempt-slow")
    check(status != 0 and slow and all(e["args"][2] == "hang_threads" for e in slow), f"status {status}")
    heads = [l for l in out if l.startswith("=== ")]
    check(heads and all(slow[0]["args"][0] in h or "hang_threads" in h for h in heads), "\n".join(out[:20]))
    check(len(heads) <= len(slow), f"at most one capture per slow event: {len(heads)} vs {len(slow)}")
    check(any(l.strip().startswith("thread '") for l in out), "threads listed")


def usage_rows(out, title):
    i = out.index(title)
    rows = []
    for l in out[i + 1:]:
        if not l.startswith("@"):
            break
        rows.append((l.split("[", 1)[1].rsplit("]", 1)[0], int(l.rsplit(":", 1)[1])))
    return rows


def script_top_usage(status, out, truth):
    names = {e["args"][2] for e in of(truth, "test-attempt-done")}
    check(status == 0 and names, f"status {status}")
    cpu = usage_rows(out, "top CPU (ms, user + system):")
    check(cpu and {n for n, _v in cpu} <= names, f"rows name the run's tests: {cpu}")
    by = dict(cpu)
    burner = [n for n in names if "cpu_200ms" in n]
    check(burner and by.get(burner[0], 0) >= 150, f"the CPU-burning test spent >= 150 ms: {cpu}")
    check(usage_rows(out, "top peak RSS (MiB):"), "RSS table")


def script_cpu_vs_wall(status, out, truth):
    dones = of(truth, "test-attempt-done")
    rows = [l for l in out if " wall " in l and " cpu " in l]
    check(status == 0 and len(rows) == len(dones), f"one row per attempt ({len(dones)}): {len(rows)}")
    for e in dones:
        row = [l for l in rows if l.split()[0] == e["args"][2][:60]]
        check(row, f"{e['args'][2]} missing")
        wall = int(row[0].split(" wall ")[1].split()[0])
        check(abs(wall - e["args"][4] // 1000000) <= 20, f"{e['args'][2]}: wall {wall} vs truth {e['args'][4] // 1000000}")


# Each script's check: check(status, output lines, truth events), run live (test_script) and
# on its committed example (test_example).
SCRIPT_CHECKS = {
    "test-attempt-start": script_test_attempt_start,
    "durations-hist": script_durations_hist,
    "slowest": script_slowest,
    "binary-durations": script_binary_durations,
    "failures": script_failures,
    "flaky": script_flaky,
    "progress": script_progress,
    "concurrency": script_concurrency,
    "setup-scripts": script_setup_scripts,
    "stress": script_stress,
    "leaks": script_leaks,
    "events": script_events,
    "extras/crash-report": script_crash_report,
    "extras/hung-stacks": script_hung_stacks,
    "extras/top-usage": script_top_usage,
    "extras/cpu-vs-wall": script_cpu_vs_wall,
}


@pytest.mark.scripts
@pytest.mark.parametrize("name", list(SCRIPT_CHECKS))
def test_script(name, tmp_path):
    status, stdout, stderr, truth = script_output(name, str(tmp_path))
    out = [l for l in stdout.splitlines() if l.strip()]
    check(out, f"{name} printed nothing (status {status}): {scrub(stderr)[:400]}")
    check(truth, "the simulator wrote no truth")
    SCRIPT_CHECKS[name](status, out, truth)


@pytest.mark.examples
@pytest.mark.parametrize("name", list(SCRIPT_CHECKS))
def test_example(name):
    status, out, truth, head = read_example(name)
    check(out and truth, f"example {name}: empty output or truth")
    check(any(h.startswith("# runner: ") for h in head), f"example {name}: header names no runner")
    SCRIPT_CHECKS[name](status, out, truth)


# ---- what a user runs into: no silent failures, names, privileges, native probes -----------
EXTRA = ["attempt-rusage", "crash", "crash-frame", "hung-stacks", "hung-thread", "hung-frame"]


def real_nextest():
    """A private copy of the installed cargo-nextest (its own inode: probes attached by
    path to it see only our runs), in a directory to put first on PATH."""
    src = shutil.which("cargo-nextest")
    check(src is not None, "real cargo-nextest must be installed for this test (cargo install cargo-nextest)")
    d = build("tools", "private", "bin")
    dst = os.path.join(d, "cargo-nextest")
    if not os.path.exists(dst) or os.path.getsize(dst) != os.path.getsize(src):
        os.makedirs(d, exist_ok=True)
        shutil.copy(src, dst + ".tmp")
        os.replace(dst + ".tmp", dst)
    return dst


def real_env(extra=None):
    env = sim_env(extra)
    env["PATH"] = os.path.dirname(real_nextest()) + ":" + env["PATH"]
    return env


def nextest_release():
    out = run([real_nextest(), "nextest", "--version"]).stdout
    m = re.search(r"^release: (\S+)$", out, re.M)
    check(m, f"cargo-nextest --version: {out!r}")
    return m.group(1)


@pytest.mark.usability
def test_trace_rejects_a_probe_the_object_lacks():
    r = run([tool(), "trace", "-e", 'usdt:$1:nextest:no-such-probe { printf("x\\n"); }', "--", "true"],
            env=sim_env())
    check(r.returncode == 5, f"status {r.returncode} (was 0 with no output): {r.stderr}")
    check("nextest:no-such-probe" in r.stderr and all(p in r.stderr for p in PROBES),
          f"names the probe and lists the real ones: {r.stderr}")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "mine.bt")
        open(p, "w").write("// my script\n\nusdt:$1:nextest_extra:crash-frames { }\n")
        r = run([tool(), "trace", p, "--", "true"], env=sim_env())
        check(r.returncode == 5 and f"{p}:3:" in r.stderr and "crash-frame" in r.stderr, r.stderr)
        open(p, "w").write("usdt:$1:nextest_nope:run-start { }\n")
        r = run([tool(), "trace", p, "--", "true"], env=sim_env())
        check(r.returncode == 5 and "no provider 'nextest_nope'" in r.stderr and "nextest_extra" in r.stderr, r.stderr)


@pytest.mark.usability
def test_trace_marker_ignores_comments_and_strings():
    """`BEGIN {` in a comment or a string never receives the ready marker."""
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "c.bt")
        open(p, "w").write('// BEGIN { a comment\n/* END { another\n BEGIN { */\n'
                           'BEGIN { printf("BEGIN { in a string\\n"); }\n'
                           'usdt:$1:nextest:run-start { printf("RS\\n"); }\n'
                           'END { printf("END { too\\n"); }\n')
        env = sim_env({"NEXTEST_PROBES_READY_TIMEOUT": "60"})
        r = run([tool(), "trace", p, "--", "nextest-sim", "run", "--run-ignored", "only", "fail_exit_3"],
                env=env, cwd=workspace())
        check(r.returncode == 100, f"status {r.returncode}: {scrub(r.stderr)[-300:]}")
        out = r.stdout.splitlines()
        check(out.count("BEGIN { in a string") == 1 and out.count("RS") == 1 and "END { too" in out, r.stdout)
        check("0 events" not in r.stderr, r.stderr)
        open(p, "w").write('usdt:$1:nextest:run-start { printf("RS\\n"); }\n// BEGIN {')
        r = run([tool(), "trace", p, "--", "nextest-sim", "run", "--run-ignored", "only", "fail_exit_3"],
                env=env, cwd=workspace())
        check(r.returncode == 100 and r.stdout.splitlines().count("RS") == 1, f"{r.returncode} {r.stdout} {r.stderr[-300:]}")


@pytest.mark.usability
def test_output_file_checked_before_bpftrace_starts():
    for argv, text in ((["perfetto", "-o", "/nonexistent/t.json"], "directory /nonexistent does not exist"),
                       (["capture", "-o", "/nonexistent/e.jsonl"], "directory /nonexistent does not exist"),
                       (["perfetto", "-o", "/tmp"], "it is a directory"),
                       (["perfetto", "-o", "t.json", "--events-out", "/nonexistent/e"], "--events-out")):
        t0 = time.time()
        r = run([tool()] + argv + ["--", "true"], env=sim_env())
        check(r.returncode == 3 and text in r.stderr, f"{argv}: {r.returncode} {r.stderr}")
        check("Traceback" not in r.stderr and "attaching" not in r.stderr and "bpftrace" not in r.stderr,
              f"{argv}: stopped before the tracer: {r.stderr}")
        check(time.time() - t0 < 30, "no tracer start")


@pytest.mark.usability
def test_bpftrace_errors_name_the_users_script():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "bad.bt")
        open(p, "w").write("// line 1\nusdt:$1:nextest:run-start { no_such_function(); }\n")
        r = run([tool(), "trace", p, "--", "true"], env=sim_env())
        check(r.returncode == 4 and f"{p}:2" in r.stderr and "no_such_function" in r.stderr, r.stderr)
        check("nextest-probes." not in r.stderr.replace("nextest-probes: ", ""), f"no temporary file named: {r.stderr}")
        r = run([tool(), "trace", "-e", "usdt:$1:nextest:run-start { no_such_function(); }", "--", "true"],
                env=sim_env())
        check(r.returncode == 4 and "-e program:1" in r.stderr and "no_such_function" in r.stderr, r.stderr)


@pytest.mark.usability
def test_zero_events_are_reported():
    r = run([tool(), "trace", "-e", 'usdt:$1:nextest:run-start { printf("RS\\n"); }', "--", "true"], env=sim_env())
    check(r.returncode == 0 and "0 events" in r.stderr and "preloaded" in r.stderr, r.stderr)
    with tempfile.TemporaryDirectory() as d:
        r = run([tool(), "capture", "-o", os.path.join(d, "e.jsonl"), "--", "true"], env=sim_env())
        check(r.returncode == 0 and "0 events" in r.stderr, r.stderr)
    r = run([tool(), "trace", "-e", 'usdt:$1:nextest:run-start { printf("RS\\n"); }', "--",
             "nextest-sim", "run", "--run-ignored", "only", "fail_exit_3"], env=sim_env(), cwd=workspace())
    check(r.returncode == 100 and "RS" in r.stdout and "0 events" not in r.stderr, r.stderr[-300:])


@pytest.mark.usability
def test_capture_names_its_output_file():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "ev.jsonl")
        r = run([tool(), "capture", "-o", out, "--", "nextest-sim", "run", "--run-ignored", "only", "fail_exit_3"],
                env=sim_env(), cwd=workspace())
        check(r.returncode == 100 and f"to {out}" in r.stderr and "/dev/null" not in r.stderr, r.stderr[-400:])
        check(len(load_lines(out)) == 4, "run-start, attempt start and done, run-done")


@pytest.mark.usability
def test_scripts_are_found_by_name():
    for name in ("slowest", "slowest.bt", "tracer-scripts/slowest.bt", root("tracer-scripts", "slowest.bt")):
        r = run([tool(), "trace", name, "--param", "3", "--", "nextest-sim", "run", "--run-ignored", "only",
                 "fail_exit_3"], env=sim_env(), cwd=workspace())
        check(r.returncode == 100 and "@slowest_ms[fx-basic::outcomes, fail_exit_3]" in r.stdout,
              f"{name}: {r.returncode} {scrub(r.stderr)[-300:]}")
    r = run([tool(), "trace", "extras/crash-report", "--", "true"], env=sim_env(), cwd="/")
    check(r.returncode == 0 and "script not found" not in r.stderr, r.stderr)
    r = run([tool(), "trace", "no-such-script", "--", "true"], env=sim_env())
    check(r.returncode == 3 and "script not found: no-such-script" in r.stderr and "scripts" in r.stderr, r.stderr)
    r = run([tool(), "scripts"], env=sim_env())
    names = r.stdout.split()
    check("slowest" in names and "extras/crash-report" in names and len(names) == 16, r.stdout)
    r = run([tool(), "trace", "slowest"], env=sim_env())
    check(r.returncode == 2 and "usage: nextest-probes trace slowest" in r.stderr, r.stderr)


@pytest.mark.usability
def test_bt_scripts_are_executable_and_say_what_they_do():
    bad = []
    for s in all_bt_scripts():
        p = root("tracer-scripts", s)
        text = open(p).read()
        if not text.startswith("#!/usr/bin/env bpftrace\n"):
            bad.append(f"{s}: no shebang")
        if not os.access(p, os.X_OK):
            bad.append(f"{s}: not executable")
        if 'BEGIN { printf("Tracing nextest probes... Hit Ctrl-C to end.\\n"); }' not in text:
            bad.append(f"{s}: no Tracing line")
        ex = f"tracer-scripts/examples/{s[:-3]}.txt"
        if ex not in text:
            bad.append(f"{s}: header does not name {ex}")
        elif not os.path.isfile(root(ex)):
            bad.append(f"{ex} missing")
    check(not bad, "; ".join(bad))
    r = run(["bpftrace", root("tracer-scripts", "slowest.bt")])   # $1 missing: bpftrace says so
    check(r.returncode != 0 and "path or pid" in r.stderr, scrub(r.stderr))


@pytest.mark.usability
def test_under_sudo_the_command_runs_as_the_user():
    """sudo sets SUDO_USER/SUDO_UID/SUDO_GID; the command runs as that user, bpftrace as root."""
    sudo = {"SUDO_USER": "nobody", "SUDO_UID": "65534", "SUDO_GID": "65534"}
    prog = 'usdt:$1:nextest:run-start { printf("RS\\n"); }'
    r = run([tool(), "trace", "-e", prog, "--", "sh", "-c", 'id -u; echo "$HOME"'], env=sim_env(sudo), cwd="/")
    check(r.returncode == 0 and r.stdout.split()[:2] == ["65534", "/nonexistent"], f"{r.stdout!r} {r.stderr}")
    r = run([tool(), "trace", "--as-root", "-e", prog, "--", "id", "-u"], env=sim_env(sudo), cwd="/")
    check(r.returncode == 0 and r.stdout.split()[0] == "0", f"--as-root: {r.stdout!r} {r.stderr}")
    r = run([tool(), "run", "--", "id", "-u"], env=sim_env(sudo), cwd="/")
    check(r.returncode == 0 and r.stdout.strip() == "65534", r.stdout + r.stderr)
    # probes still fire in the user's processes (a fake probe library; the simulator would
    # need the user's own cargo), and the file written for them is theirs
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)
        spec, out = os.path.join(d, "spec"), os.path.join(d, "ev.jsonl")
        r = run([sys.executable, root("tests", "tools", "events2spec.py"), golden("run.events.jsonl"), "2"])
        open(spec, "w").write(r.stdout)
        os.chmod(spec, 0o644)
        env = dict(os.environ, NEXTEST_PROBES_LIB=build("tools", "libfakeprobes.so"), **sudo)
        r = run([tool(), "capture", "-o", out, "--", build("tools", "fakeprobe_run"), spec, "2"], env=env, cwd="/")
        check(r.returncode == 0 and os.stat(out).st_uid == 65534, f"{r.returncode} {scrub(r.stderr)[-300:]}")
        check(len(load_lines(out)) == len(load_lines(golden("run.events.jsonl"))), "every firing captured")


@pytest.mark.usability
def test_version_and_help_per_subcommand():
    r = run([tool(), "--version"], env=sim_env())
    check(r.returncode == 0 and re.fullmatch(r"nextest-probes \d+\.\d+\.\d+\n", r.stdout), r.stdout + r.stderr)
    for sub in ("run", "trace", "perfetto", "capture", "top", "list", "lib", "scripts"):
        r = run([tool(), sub, "--help"], env=sim_env())
        check(r.returncode == 0 and r.stdout.startswith(f"usage: nextest-probes {sub}"), f"{sub}: {r.stdout}{r.stderr}")


@pytest.mark.usability
def test_library_directory_in_the_environment():
    r = run([tool(), "lib"], env=sim_env({"NEXTEST_PROBES_LIB": os.path.dirname(lib())}))
    check(r.returncode == 0 and r.stdout.strip() == os.path.realpath(lib()), r.stdout + r.stderr)


@pytest.mark.usability
def test_list_shows_both_providers():
    r = run([tool(), "list"], env=sim_env())
    want = sorted([f"usdt:{os.path.realpath(lib())}:nextest:{p}" for p in PROBES] +
                  [f"usdt:{os.path.realpath(lib())}:nextest_extra:{p}" for p in EXTRA])
    check(r.returncode == 0 and sorted(r.stdout.split()) == want, r.stdout)
    r = run([tool(), "list", "nextest-sim"], env=sim_env())
    check(r.returncode == 0 and "fires none of the ten" in r.stderr, r.stderr)


@pytest.mark.native
def test_list_shows_the_runners_native_probes():
    nx = real_nextest()
    r = run([tool(), "list", "cargo", "nextest"], env=real_env())
    native = sorted(l for l in r.stdout.split() if l.startswith(f"usdt:{nx}:"))
    check(native == sorted(f"usdt:{nx}:nextest:{p}" for p in PROBES), r.stdout)
    check("fires all ten nextest probes natively" in r.stderr, r.stderr)


@pytest.mark.native
def test_native_probes_are_used_by_default():
    real_nextest()
    prog = ('usdt:$1:nextest:test-attempt-done { printf("DONE %s\\n", str(arg3)); } '
            'usdt:$1:nextest_extra:attempt-rusage { printf("RUSAGE %s\\n", str(arg3)); }')
    cmd = ["--", "cargo", "nextest", "run", "--offline", "--run-ignored", "only", "fail_exit_3"]
    counts = {}
    for source in (None, "shim", "both"):
        extra = ["--source", source] if source else []
        r = run([tool(), "trace", "-e", prog] + extra + cmd, env=real_env(), cwd=workspace())
        check(r.returncode == 100, f"{source}: status {r.returncode}: {scrub(r.stderr)[-400:]}")
        out = r.stdout.splitlines()
        counts[source] = (out.count("DONE fail_exit_3"), out.count("RUSAGE fail_exit_3"))
        if source is None:
            check("fires nextest's probes itself" in r.stderr and "--source native" in r.stderr, r.stderr)
    check(counts == {None: (1, 1), "shim": (1, 1), "both": (2, 1)},
          f"native by default, library still preloaded for nextest_extra: {counts}")
    r = run([tool(), "trace", "--source", "native", "-e", prog, "--", "nextest-sim", "run"], env=sim_env(),
            cwd=workspace())
    check(r.returncode == 3 and "no native nextest probes" in r.stderr, r.stderr)


@pytest.mark.native
def test_perfetto_names_the_nextest_version():
    want = nextest_release()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = run([tool(), "perfetto", "-o", out, "--", "cargo", "nextest", "run", "--offline", "-P", "retries",
                 "--run-ignored", "only", "retry_"], env=real_env(), cwd=workspace())
        check(r.returncode == 100, scrub(r.stderr)[-400:])
        doc, evs, _o = validate_trace(out)
        check(doc["otherData"]["nextest_version"] == want, f"otherData {doc['otherData']}")
        begin = [e for e in evs if e["name"] == "test run" and e["ph"] == "B"]
        check(begin and begin[0]["args"]["nextest_version"] == want, "run span")
        check("3 tests run: 2 passed (2 flaky), 1 failed" in r.stderr, f"worded as nextest: {r.stderr[-300:]}")


@pytest.mark.usability
def test_summary_is_worded_as_nextest_words_it():
    with tempfile.TemporaryDirectory() as d:
        r = converter(["-o", os.path.join(d, "t.json"), "--events", golden("run.events.jsonl")])
        check(r.returncode == 0 and "3 tests run: 2 passed (1 flaky), 1 failed" in r.stderr, r.stderr)


@pytest.mark.usability
def test_capture_program_reads_in_a_loop():
    """Start-up: the unrolled program took bpftrace ~5 s of CPU to compile (the run started
    ~8 s after the command on an idle machine); the loop ~1 s (docs/performance.md).  This
    checks the shape; the time is a benchmark, not a test."""
    r = run([sys.executable, root("tracer-scripts", "nextest_capture.py"), "program", "$1"])
    check(r.returncode == 0 and "unroll(" not in r.stdout and r.stdout.count("while (") == 31, "loops, not unroll")


@pytest.mark.usability
def test_demo_is_plain_without_a_terminal():
    text = open(root("tracer-scripts", "demo.sh")).read()
    check("NO_COLOR" in text and "[ -t 1 ]" in text, "demo.sh decides on colour")
    r = run(["bash", "-c", 'source <(sed -n "/^# colours/,/^# end colours/p" "$1"); say hello', "_",
             root("tracer-scripts", "demo.sh")])
    check(r.stdout.strip() == "==> hello" and "\x1b" not in r.stdout, repr(r.stdout))


# ---- perfetto live ------------------------------------------------------------------
@pytest.mark.perfetto
def test_perfetto_live_trace_matches_the_truth():
    with tempfile.TemporaryDirectory() as d:
        out, evout, truth = (os.path.join(d, n) for n in ("t.json", "ev.jsonl", "truth.jsonl"))
        r = run([tool(), "perfetto", "-o", out, "--events-out", evout, "--", "nextest-sim", "run",
                 "-P", "retries", "--run-ignored", "only", "retry_", "--truth", truth],
                env=sim_env(), cwd=workspace())
        check(r.returncode == 100, f"status {r.returncode}: {scrub(r.stderr)[-400:]}")
        _doc, evs, still_open = validate_trace(out)
        check(not still_open, f"open spans {still_open}")
        # the same trace from the simulator's truth, through the same converter
        out2 = os.path.join(d, "t2.json")
        r2 = converter(["-o", out2, "--events", truth])
        check(r2.returncode == 0, r2.stderr)
        _d2, evs2, _o = validate_trace(out2)
        shape = lambda es: sorted((e["name"], e["ph"], e["pid"], e["tid"],
                                   json.dumps({k: v for k, v in (e.get("args") or {}).items()
                                               if k not in ("time_taken_ms", "elapsed_secs", "cli_args")},
                                              sort_keys=True)) for e in es
                                  if e["ph"] not in "C")
        check(shape(evs) == shape(evs2), "live trace and truth trace differ")
        trace_agrees_with_events(evs, load_lines(truth), time_tolerance_us=250_000)
        starts = [json.loads(e["arg0"])["ok"] for e in load_lines(truth) if e["probe"] == "test-attempt-start"]
        b = [e for e in evs if e["ph"] == "B" and e["cat"] == "test"]
        retries = sum(1 for d in starts if d["attempt"] > 1)
        check(len(b) == len(starts) == 8 and sum(1 for e in evs if e["ph"] == "s") == retries == 5,
              f"{len(b)} attempts, {retries} retries")
        res = [e["args"] for e in evs if e["name"] == "test results"]
        check(res[-1] == {"passed": 0, "flaky": 2, "failed": 1}, f"results {res[-1]}")


@pytest.mark.perfetto
def test_perfetto_ctrl_c_leaves_valid_json():
    """Ctrl-C (SIGINT to the whole process group) during a run: the trace is still valid."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        p = subprocess.Popen([tool(), "perfetto", "-o", out, "--", "nextest-sim", "run", "-P", "stress",
                              "--stress-count", "100"], env=sim_env(), cwd=workspace(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline and p.poll() is None:
            if os.path.exists(out) and '"cat":"test","ph":"E"' in open(out).read():
                break
            time.sleep(0.1)
        check(p.poll() is None, "the run ended before it could be interrupted")
        os.killpg(p.pid, signal.SIGINT)
        try:
            _o, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            raise Fail("nextest-probes did not end after SIGINT")
        check(p.returncode != 0, "interrupted run reports a failure status")
        _doc, evs, _open = validate_trace(out)
        check(any(e["ph"] == "E" and e["cat"] == "test" for e in evs), "events before the interrupt kept")
        check("wrote" in err, scrub(err)[-300:])


@pytest.mark.usability
def preload_include_dirs():
    """-I of every preload/ folder (PRELOAD_DIRS of preload/sources.mk)."""
    text = open(root("preload", "sources.mk")).read()
    m = re.search(r"^PRELOAD_DIRS\s*:=((?:.*\\\n)*.*)$", text, re.M)
    return [f"-I{root('preload', x)}" for x in m.group(1).replace("\\", " ").split()] if m else []


def test_readme_architectures_match_what_is_built():
    """preload/thin/probe/probes.c compiled for each architecture (clang, freestanding): x86_64 and
    aarch64 carry the ten notes, riscv64 none — as README.md says."""
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "errno.h"), "w").write(
            "#pragma once\nint *__errno_location(void);\n#define errno (*__errno_location())\n")
        notes = {}
        inc = preload_include_dirs()
        for arch in ("x86_64", "aarch64", "riscv64"):
            o = os.path.join(d, arch + ".o")
            r = run(["clang", f"--target={arch}-linux-gnu", "-std=gnu11", "-O2", "-D_GNU_SOURCE",
                     "-ffreestanding", "-nostdlibinc", "-isystem", d, *inc, "-c", "-o", o,
                     root("preload", "thin", "probe", "probes.c")])
            check(r.returncode == 0, f"{arch}: {r.stderr[-300:]}")
            notes[arch] = run(["readelf", "-n", o]).stdout.count("Provider: nextest")
        check(notes == {"x86_64": 10, "aarch64": 10, "riscv64": 0}, f"notes per architecture: {notes}")
    readme = open(root("README.md")).read()
    arch = readme[readme.index("Architectures:"):].split("\n\n")[0]
    check("x86_64 and aarch64" in arch and "riscv64 included" in arch and "inert probes" in arch, arch)


# ---- top: plain lines, and the terminal view under tmux against real cargo-nextest --------
@pytest.mark.top
def test_top_plain_lines_follow_the_run():
    with tempfile.TemporaryDirectory() as d:
        truth = os.path.join(d, "truth.jsonl")
        r = run([tool(), "top", "--", "nextest-sim", "run", "-P", "retries", "--run-ignored", "only", "retry_",
                 "--truth", truth], env=sim_env(), cwd=workspace())
        check(r.returncode == 100, f"status {r.returncode}: {scrub(r.stderr)[-300:]}")
        ev = load_lines(truth)
        out = r.stdout.splitlines()
        starts = [l for l in out if "] START  slot " in l]
        check(len(starts) == len(of(ev, "test-attempt-start")), f"one START line per attempt:\n{r.stdout}")
        for e in of(ev, "test-attempt-start"):
            d0 = json.loads(e["arg0"])["ok"]
            check(any(f"attempt {d0['attempt']}/{d0['total_attempts']}  {e['args'][1]} {e['args'][2]}  "
                      f"(pid {e['args'][3]})" in l for l in starts), f"{e['args'][2]} attempt {d0['attempt']}")
        check("nextest-probes top: 3 tests run: 2 passed (2 flaky), 1 failed" in out, r.stdout[-500:])
        check(sum(l.startswith("  flaky:") for l in out) == 2 and sum(l.startswith("  failed:") for l in out) == 1,
              r.stdout[-500:])
        check("\x1b" not in r.stdout, "no terminal codes when stdout is not a terminal")


@pytest.mark.top
def test_top_plain_lines_show_setup_scripts_and_stress():
    with tempfile.TemporaryDirectory() as d:
        for flags, probe, word in ((["-P", "scripts-slow", "--run-ignored", "only", "scripts_"],
                                    "setup-script-done", "SETUP"),
                                   (["-P", "stress", "--stress-count", "3"], "stress-sub-run-done", "STRESS")):
            truth = os.path.join(d, probe + ".jsonl")
            r = run([tool(), "top", "--", "nextest-sim", "run", "--truth", truth] + flags, env=sim_env(), cwd=workspace())
            ev = load_lines(truth)
            lines = [l for l in r.stdout.splitlines() if f"] {word} " in l]
            want = of(ev, probe)
            check(want, f"the scenario has {probe} events")
            if probe == "setup-script-done":
                for e in want:
                    check(any(f"SETUP  {e['args'][1]} {e['args'][2]} in " in l for l in lines), "\n".join(lines))
                check(any(" slow: " in l for l in lines) == bool(of(ev, "setup-script-slow")), "slow scripts shown")
            else:
                done = [l for l in lines if " done: " in l]
                check(len(done) == len(want) == 3 and "STRESS sub-run 1/3 started" in r.stdout, "\n".join(lines))


TOP_FLAGS = ["--offline", "-j", "4", "-P", "retries", "--run-ignored", "only",
             "retry_", "slow_", "measure_cpu_200ms", "measure_mem_64mib", "fail_exit_3"]


class Tmux:
    """A detached tmux session running one shell command in a 150x45 terminal."""

    def __init__(self, command, env):
        self.name = f"nptop{os.getpid()}_{int(time.time() * 1000) % 100000}"
        envs = [f"{k}={v}" for k, v in env.items() if k in ("NEXTEST_PROBES_LIB", "CARGO_TARGET_DIR", "PATH")]
        r = run(["tmux", "new-session", "-d", "-s", self.name, "-x", "150", "-y", "45",
                 "env"] + envs + ["bash", "-c", command + '; echo "EXIT:$?"; sleep 600'])
        check(r.returncode == 0, f"tmux: {r.stderr}")

    def screen(self):
        return run(["tmux", "capture-pane", "-p", "-t", self.name]).stdout

    def history(self):
        return run(["tmux", "capture-pane", "-p", "-S", "-3000", "-t", self.name]).stdout

    def keys(self, k):
        run(["tmux", "send-keys", "-t", self.name, k])

    def wait(self, pred, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if pred(s):
                return s
            time.sleep(0.2)
        raise Fail(f"{what} not seen within {timeout}s; screen:\n{self.screen()}")

    def close(self):
        run(["tmux", "kill-session", "-t", self.name])


def running_rows(screen):
    rows, on = [], False
    for l in screen.splitlines():
        if l.startswith("SLOT ATTEMPT"):
            on = True
            continue
        if on:
            if not l.strip():
                break
            rows.append(l)
    return rows


def top_session(flags, cwd):
    real_nextest()
    cmd = f"cd {shlex.quote(cwd)} && {shlex.quote(tool())} top -- cargo nextest run " + " ".join(map(shlex.quote, flags))
    return Tmux(cmd, real_env())


def top_frame_with_usage(t):
    """A frame with a running test whose CPU% and RSS were read from /proc."""
    def good(s):
        m = re.search(r"— ([\d.]+)s", s.splitlines()[0] if s.strip() else "")
        return m and float(m.group(1)) >= 1.0 and \
            any(re.match(r"\s+\d+\s+\d+/\d+\s+[\d.]+s\s+\d+\s+[\d.]+[KMG]\s+\S", r) for r in running_rows(s))
    return t.wait(good, 120, "a running test with CPU% and RSS")


@pytest.mark.top
def test_top_under_tmux_with_real_nextest():
    t = top_session(TOP_FLAGS, workspace())
    try:
        frame = top_frame_with_usage(t)
        check(frame.startswith("nextest-probes top — cargo-nextest — profile retries — "), frame)
        check("RUNNING (sort: elapsed)" in frame and "SLOWEST FINISHED ATTEMPTS" in frame, frame)
        m = re.search(r"— (\d+)/(\d+) done", frame)
        check(m and int(m.group(2)) == 8, f"8 tests in this run (filter_count), not the workspace's total: {frame[:200]}")
        t.keys("s")
        t.wait(lambda s: "RUNNING (sort: slot)" in s, 10, "s switches the sort")
        t.keys("s")
        t.wait(lambda s: "RUNNING (sort: cpu)" in s, 10, "s again")
        t.wait(lambda s: "EXIT:" in s, 300, "the end of the run")
        hist = t.history()
        m = re.search(r"EXIT:(\d+)", hist)
        check(m and m.group(1) == "100", f"the run's status (100: fail_exit_3 and retry_always_fail fail): {hist[-800:]}")
        summ = re.search(r"Summary \[ *[\d.]+s\] (\d+ tests? run: .*)", hist)
        ours = re.search(r"nextest-probes top: (.*)", hist)
        check(summ and ours, hist[-1500:])
        # nextest: "8 tests run: 6 passed (2 slow, 2 flaky), 2 failed, 3 skipped"; top does not
        # count slow or skipped tests
        nx = re.sub(r", \d+ skipped", "", summ.group(1).strip())
        nx = re.sub(r"\(([^)]*)\)", lambda m: "(" + ", ".join(x for x in m.group(1).split(", ")
                                                               if not x.endswith(" slow")) + ")", nx)
        nx = nx.replace(" ()", "")
        check(ours.group(1).strip() == nx, f"top's summary {ours.group(1)!r} vs nextest's {nx!r}")
        check("flaky:   passed on attempt 2 fx-basic::retry retry_flaky_once" in hist and
              "failed:  fail fx-basic::outcomes fail_exit_3" in hist, hist[-1500:])
        if ARGS.write_examples:
            write_top_example(frame)
    finally:
        t.close()


@pytest.mark.top
def test_top_q_stops_the_run():
    t = top_session(["--offline", "-j", "2", "-P", "stress", "--stress-count", "200"], workspace())
    try:
        t.wait(lambda s: running_rows(s), 120, "running tests")
        t0 = time.time()
        t.keys("q")
        s = t.wait(lambda s: "EXIT:" in s, 120, "the end after q")
        hist = t.history()
        check("Cancelling due to signal" in hist or "cancelled" in hist.lower(), hist[-800:])
        check(not re.search(r"EXIT:0\b", hist), f"an interrupted run is not a success: {s[-300:]}")
        check(time.time() - t0 < 100, "q ends it well before the 200 sub-runs")
    finally:
        t.close()


def write_top_example(frame):
    path = root("tracer-scripts", "examples", "top.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# nextest-probes top -- cargo nextest run " + " ".join(TOP_FLAGS) + "\n")
        f.write(f"# runner: cargo-nextest {nextest_release()} (real), its native probes (--source native); "
                "CPU% and RSS from /proc/<pid> of each running test\n")
        f.write("# a frame captured with tmux capture-pane (150x45) while the run went, "
                "in tests/fixtures/workspace\n")
        f.write("\n".join(l.rstrip() for l in frame.rstrip().splitlines()) + "\n")
    print(f"wrote  {path}")


@pytest.mark.examples
def test_example_top_screen():
    path = root("tracer-scripts", "examples", "top.txt")
    text = open(path, encoding="utf-8").read().splitlines()
    check(text[1].startswith("# runner: cargo-nextest ") and "(real)" in text[1], text[1])
    frame = "\n".join(l for l in text if not l.startswith("# "))
    check(frame.startswith("nextest-probes top — cargo-nextest — profile retries — "), frame[:200])
    check(any(re.match(r"\s+\d+\s+\d+/\d+\s+[\d.]+s\s+\d+\s+[\d.]+[KMG]\s+\S", r) for r in running_rows(frame)),
          "a running test with CPU% and RSS")


# ---- examples: made by `make tools-examples`, checked by the "examples" group ------------
def write_examples(d):
    """Runs every script's scenario once and writes examples/<name>.txt (what the script
    printed, under a header saying what produced it) and examples/<name>.events.jsonl (the
    truth of the same run: real cargo-nextest's native probes, captured alongside, when it
    is installed; else the simulator's --truth file)."""
    real = shutil.which("cargo-nextest") is not None
    bt = bpftrace_version()
    failed = 0
    for name, (params, flags) in SCENARIOS.items():
        if ARGS.groups and "scripts" not in ARGS.groups:
            break
        txt = os.path.join(d, name + ".txt")
        evs = os.path.join(d, name + ".events.jsonl")
        os.makedirs(os.path.dirname(txt), exist_ok=True)
        strlen = {"BPFTRACE_STRLEN": STRLEN[name]} if name in STRLEN else {}
        if real:
            nx = real_nextest()
            shown = ["nextest-probes", "trace", name] + params + ["--", "cargo", "nextest", "run", "--offline"] + flags
            cmd = [tool(), "capture", "--runner", nx, "--source", "native", "-o", evs, "--",
                   tool(), "trace", name, "--source", "shim"] + params + \
                  ["--", "cargo", "nextest", "run", "--offline"] + flags
            r = run(cmd, env=real_env(strlen), cwd=workspace(), timeout=600)
            who = (f"# runner: cargo-nextest {nextest_release()} (real), libnextest_probes.so preloaded; "
                   f"the script traced the library's probes (--source shim)\n"
                   f"# truth: {name}.events.jsonl, the same run's native probes "
                   f"(nextest-probes capture --source native)\n")
        else:
            shown = ["nextest-probes", "trace", name] + params + ["--", "nextest-sim", "run"] + flags
            cmd = [tool(), "trace", name] + params + ["--", "nextest-sim", "run", "--truth", evs] + flags
            r = run(cmd, env=sim_env(strlen), cwd=workspace(), timeout=600)
            who = ("# runner: nextest-sim, the simulator in tests/sim (cargo-nextest was not installed), "
                   "libnextest_probes.so preloaded\n"
                   f"# truth: {name}.events.jsonl, the simulator's own record of the run (--truth)\n")
        # the machine's build directory is not part of the example
        target = os.path.realpath(build("fixtures-target"))
        if os.path.exists(evs):
            ev_text = open(evs, encoding="utf-8").read().replace(target, "$CARGO_TARGET_DIR")
            open(evs, "w", encoding="utf-8").write(ev_text)
        with open(txt, "w", encoding="utf-8") as f:
            f.write("# " + " ".join(shown) + "\n" + who)
            f.write(f"# in tests/fixtures/workspace; bpftrace {bt}"
                    + (f"; BPFTRACE_STRLEN={STRLEN[name]}" if name in STRLEN else "")
                    + "; the build directory shown as $CARGO_TARGET_DIR\n")
            f.write(f"# exit status: {r.returncode}\n")
            f.write(r.stdout.replace(target, "$CARGO_TARGET_DIR"))
        ok_ = os.path.exists(evs) and r.stdout.strip()
        failed += not ok_
        print(f"{'wrote ' if ok_ else 'FAILED'} {txt} (status {r.returncode})", flush=True)
        if not ok_:
            print(scrub(r.stderr)[-600:])
    try:
        if not ARGS.groups or "top" in ARGS.groups:
            test_top_under_tmux_with_real_nextest()
    except Fail as e:
        print(f"FAILED top example: {e}")
        failed += 1
    return 1 if failed else 0


def main():
    """Writes the committed examples (make tools-examples): not a test run."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=ARGS.root)
    ap.add_argument("--build", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--write-examples", required=True)
    ap.add_argument("groups", nargs="*", help="scripts and/or top (default both)")
    a = ap.parse_args()
    ARGS.root, ARGS.build, ARGS.sim = (os.path.abspath(p) for p in (a.root, a.build, a.sim))
    ARGS.write_examples, ARGS.groups = a.write_examples, a.groups
    os.makedirs(a.write_examples, exist_ok=True)
    return write_examples(a.write_examples)


if __name__ == "__main__":
    sys.exit(main())
