#!/usr/bin/env python3
"""run_tests: the tests of tracer-scripts/ (issue 5).

Owns: the checks of the Perfetto converter (golden output, validity, interruption), the
capture parser, every .bt script (compiled by bpftrace against the real library, and the
main ones run against simulator scenarios with their output checked), and every
`nextest-probes` subcommand and error message.  Prints one line per test and a final
`N passed, N failed` line; exits 1 if any test failed.

Usage: run_tests.py --root REPO --build BUILD --sim NEXTEST_SIM [--write-examples DIR]
                    [GROUP…]     groups: converter capture compile command scripts perfetto
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ARGS = None
RESULTS = {"passed": 0, "failed": 0}
TESTS = []
PROBES = ["run-start", "run-done", "test-attempt-start", "test-attempt-done",
          "test-attempt-slow", "setup-script-start", "setup-script-slow",
          "setup-script-done", "stress-sub-run-start", "stress-sub-run-done"]


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def test(group):
    def wrap(fn):
        TESTS.append((group, fn))
        return fn
    return wrap


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


# ---- converter ----------------------------------------------------------------------
@test("converter")
def converter_golden_run():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = converter(["-o", out, "--events", golden("run.events.jsonl")])
        check(r.returncode == 0, r.stderr)
        got, want = open(out).read(), open(golden("run.trace.json")).read()
        check(got == want, "output differs from golden/run.trace.json")


@test("converter")
def converter_golden_stress():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = converter(["-o", out, "--events", golden("stress.events.jsonl")])
        check(r.returncode == 0, r.stderr)
        check(open(out).read() == open(golden("stress.trace.json")).read(),
              "output differs from golden/stress.trace.json")


@test("converter")
def converter_golden_is_valid_with_expected_events():
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


@test("converter")
def converter_closes_json_on_truncated_input():
    lines = open(golden("run.events.jsonl")).read().splitlines()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        r = converter(["-o", out, "--events", "-"], input="\n".join(lines[:6]) + "\n")
        check(r.returncode == 0, r.stderr)
        _doc, evs, still_open = validate_trace(out)
        check(("test run" in still_open.values()), "the run span stays open (run interrupted)")
        check(any(e["name"] == "tests::adds" for e in evs), "events before the cut are present")


@test("converter")
def converter_closes_json_on_sigterm():
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


@test("converter")
def converter_bpftrace_mode_golden():
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
@test("capture")
def capture_parser_marks_truncation_and_keys_interleaving():
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


@test("capture")
def capture_round_trip_through_bpftrace():
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


@test("compile")
def every_bt_script_compiles_against_the_library():
    check(len(bt_scripts()) >= 12, f"scripts: {bt_scripts()}")
    bad = []
    for s in bt_scripts():
        r = run(["bpftrace", "-d", root("tracer-scripts", s), lib(), "10"], timeout=120)
        err = scrub(r.stderr)
        if r.returncode != 0 or err:
            bad.append(f"{s}: status {r.returncode}: {err[:300]}")
    check(not bad, "; ".join(bad))


@test("compile")
def every_bt_script_has_its_header_and_example():
    bad = []
    for s in bt_scripts():
        text = open(root("tracer-scripts", s)).read()
        head = text.split("*/")[0]
        ex = f"tracer-scripts/examples/{s[:-3]}.txt"
        if not text.startswith("/*") or "Run (as root)" not in head or ex not in head:
            bad.append(f"{s}: header must say what, how to run, and name {ex}")
        elif not os.path.isfile(root(ex)) or os.path.getsize(root(ex)) == 0:
            bad.append(f"{ex} missing or empty")
    check(not bad, "; ".join(bad))


@test("compile")
def capture_program_compiles():
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


@test("command")
def list_prints_the_ten_probes():
    r = run([tool(), "list"], env=sim_env())
    check(r.returncode == 0, r.stderr)
    want = sorted(f"usdt:{os.path.realpath(lib())}:nextest:{p}" for p in PROBES)
    check(sorted(r.stdout.split()) == want, f"got {r.stdout!r}")


@test("command")
def list_without_bpftrace_reads_the_notes():
    d = path_without("bpftrace")
    try:
        r = run([tool(), "list"], env=sim_env({"PATH": d}))
        check(r.returncode == 0, r.stderr)
        check(sorted(r.stdout.split()) == sorted(f"usdt:{os.path.realpath(lib())}:nextest:{p}"
                                                 for p in PROBES), r.stdout)
    finally:
        shutil.rmtree(d)


@test("command")
def lib_and_missing_library():
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


@test("command")
def installed_layout_finds_lib_and_helpers():
    """bin/nextest-probes + lib/libnextest_probes.so + share/libnextest_probes/*.py, as
    `make install` lays them out (tests/tools/tools.mk install-tools)."""
    with tempfile.TemporaryDirectory() as d:
        for sub in ("bin", "lib", "share/libnextest_probes"):
            os.makedirs(os.path.join(d, sub))
        shutil.copy(tool(), os.path.join(d, "bin"))
        shutil.copy(lib(), os.path.join(d, "lib"))
        for f in ("nextest_perfetto.py", "nextest_capture.py"):
            shutil.copy(root("tracer-scripts", f), os.path.join(d, "share/libnextest_probes"))
        env = sim_env()
        del env["NEXTEST_PROBES_LIB"]
        np = os.path.join(d, "bin", "nextest-probes")
        r = run([np, "lib"], env=env)
        check(r.returncode == 0 and r.stdout.strip() == os.path.join(os.path.realpath(d), "lib",
                                                                      "libnextest_probes.so"), r.stdout + r.stderr)
        out = os.path.join(d, "t.json")
        r = run([np, "perfetto", "-o", out, "--", "nextest-sim", "run", "--run-ignored", "only",
                 "fail_exit_3"], env=env, cwd=workspace())
        check(r.returncode == 100, f"status {r.returncode}: {scrub(r.stderr)[-300:]}")
        _doc, evs, _o = validate_trace(out)
        check(sum(e["ph"] == "B" and e["name"] == "fail_exit_3" for e in evs) == 1, "the test's span")


@test("command")
def run_appends_to_ld_preload_and_keeps_status():
    other = build("tools", "libfakeprobes.so")
    r = run([tool(), "run", "--", "sh", "-c", 'echo "$LD_PRELOAD"; exit 7'],
            env=sim_env({"LD_PRELOAD": other}))
    check(r.returncode == 7, f"status {r.returncode}")
    check(r.stdout.strip() == f"{other}:{os.path.realpath(lib())}", f"LD_PRELOAD={r.stdout!r}")
    r = run([tool(), "run", "sh", "-c", 'echo "$LD_PRELOAD"'], env=sim_env({"LD_PRELOAD": ""}))
    check(r.returncode == 0 and r.stdout.strip() == os.path.realpath(lib()), r.stdout)


@test("command")
def run_refuses_a_static_runner():
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


@test("command")
def run_with_the_simulator_fires_nothing_unobserved():
    r = run([tool(), "run", "--", "nextest-sim", "run"], env=sim_env(), cwd=workspace())
    check(r.returncode == 0 and "30 passed" in r.stderr + r.stdout, (r.stdout + r.stderr)[-500:])


@test("command")
def usage_errors():
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


@test("command")
def trace_explains_missing_bpftrace():
    d = path_without("bpftrace")
    try:
        r = run([tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"],
                env=sim_env({"PATH": d}))
        check(r.returncode == 3 and "bpftrace not found" in r.stderr and "apt-get install bpftrace" in r.stderr,
              r.stderr)
    finally:
        shutil.rmtree(d)


@test("command")
def trace_explains_missing_privileges():
    if shutil.which("setpriv") is None:
        raise Fail("setpriv (util-linux) is needed for this test")
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
             tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"], env=sim_env())
    check(r.returncode == 3 and "needs root" in r.stderr and "CAP_BPF" in r.stderr, r.stderr)


@test("command")
def trace_explains_unmounted_tracefs():
    with tempfile.TemporaryDirectory() as d:
        r = run([tool(), "trace", root("tracer-scripts", "events.bt"), "--", "true"],
                env=sim_env({"NEXTEST_PROBES_TRACEFS": d}))
        check(r.returncode == 3 and "tracefs is not mounted" in r.stderr and "mount -t tracefs" in r.stderr,
              r.stderr)


@test("command")
def trace_explains_a_bpftrace_error():
    r = run([tool(), "trace", "-e", "usdt:$1:nextest:run-start { printf(\"%s\", str(arg3)); }",
             "--", "true"], env=sim_env())
    check(r.returncode == 4 and "bpftrace exited" in r.stderr and "argument" in r.stderr, r.stderr)


@test("command")
def trace_inline_program_with_begin_keeps_output_and_status():
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


# ---- scripts against simulator scenarios --------------------------------------------------
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
}
OUTPUTS = {}


TRUTH_DIR = tempfile.mkdtemp(prefix="tools-truth-")


def script_output(name):
    """(CompletedProcess of `nextest-probes trace NAME.bt -- nextest-sim run …`,
    the simulator's truth events for that run)."""
    if name not in OUTPUTS:
        params, flags = SCENARIOS[name]
        truth = os.path.join(TRUTH_DIR, name + ".jsonl")
        cmd = [tool(), "trace", root("tracer-scripts", name + ".bt")] + params + \
              ["--", "nextest-sim", "run", "--truth", truth] + flags
        r = run(cmd, env=sim_env(), cwd=workspace())
        OUTPUTS[name] = (r, load_lines(truth) if os.path.exists(truth) else [])
        if ARGS.write_examples:
            shown = " ".join(["nextest-probes", "trace", f"tracer-scripts/{name}.bt"] + params +
                             ["--", "nextest-sim", "run"] + flags)
            with open(os.path.join(ARGS.write_examples, name + ".txt"), "w") as f:
                f.write(f"# {shown}\n# (nextest-sim in tests/fixtures/workspace, libnextest_probes.so "
                        f"preloaded; bpftrace {bpftrace_version()}; output as printed)\n")
                f.write(r.stdout)
    return OUTPUTS[name]


def bpftrace_version():
    return run(["bpftrace", "--version"]).stdout.strip().replace("bpftrace ", "")


def lines_of(name):
    r, truth = script_output(name)
    out = [l for l in r.stdout.splitlines() if l.strip()]
    check(out, f"{name}.bt printed nothing (status {r.returncode}): {scrub(r.stderr)[:400]}")
    check(truth, "the simulator wrote no truth")
    return r, out, truth


def of(truth, probe):
    return [e for e in truth if e["probe"] == probe]


def binaries(truth):
    return sorted({e["args"][1] for e in of(truth, "test-attempt-done")})


@test("scripts")
def script_test_attempt_start():
    r, out, truth = lines_of("test-attempt-start")
    check(r.returncode == 0, f"status {r.returncode}")
    n = len(of(truth, "test-attempt-start"))
    check(len(out) == n and all(l.startswith('{"ok":{"attempt_id":"') for l in out),
          f"{n} JSON lines expected, got {len(out)}: {out[:2]}")
    want = sorted(e["arg0"][:63] for e in of(truth, "test-attempt-start"))
    check(sorted(out) == want, "each line is arg0 cut at 63 bytes (BPFTRACE_STRLEN default)")


@test("scripts")
def script_durations_hist():
    _r, out, truth = lines_of("durations-hist")
    maps = sorted(l.split("[", 1)[1].split("]")[0] for l in out if l.startswith("@times["))
    check(maps == binaries(truth), f"one histogram per binary {binaries(truth)}: {maps}")


@test("scripts")
def script_slowest():
    _r, out, truth = lines_of("slowest")
    rows = [l for l in out if l.startswith("@slowest_ms[")]
    check(len(rows) == 5, f"top 5 rows, got {rows}")
    vals = [int(l.rsplit(":", 1)[1]) for l in rows]
    want = sorted(e["args"][4] // 1000000 for e in of(truth, "test-attempt-done"))[-5:]
    check(vals == sorted(vals), f"sorted: {rows}")
    check(all(abs(a - b) <= 20 for a, b in zip(vals, want)), f"top 5 {vals} vs truth {want}")


@test("scripts")
def script_binary_durations():
    _r, out, truth = lines_of("binary-durations")
    att = {l.split("[", 1)[1].split("]")[0]: int(l.rsplit(":", 1)[1]) for l in out if l.startswith("@attempts[")}
    want = {}
    for e in of(truth, "test-attempt-done"):
        want[e["args"][1]] = want.get(e["args"][1], 0) + 1
    check(att == want, f"attempt counts {att} vs truth {want}")
    check(sorted(l.split("[", 1)[1].split("]")[0] for l in out if l.startswith("@duration_ms["))
          == binaries(truth), "a histogram per binary")


@test("scripts")
def script_failures():
    r, out, truth = lines_of("failures")
    check(r.returncode == 100, f"status {r.returncode}")
    text = "\n".join(out)
    for name, how in (("fail_exit_3", "exit code 3"), ("fail_panic", "exit code 101"),
                      ("fail_abort", "signal 6"), ("fail_segv", "signal 11"), ("fail_assert", "exit code 101")):
        check(any(name in l and how in l and l.startswith("fail ") for l in out), f"{name}: {how}\n{text}")
    nfail = sum(1 for e in of(truth, "test-attempt-done") if e["args"][3] not in ("pass", "leak"))
    check(sum(l.strip().startswith('json: {"ok":{"attempt_id":') for l in out) == nfail, "JSON prefix per failure")
    check(any(l.startswith(f"@failures[fail]: {nfail}") for l in out), "count by result")


@test("scripts")
def script_flaky():
    r, out, truth = lines_of("flaky")
    check(r.returncode == 100, f"status {r.returncode} (retry_always_fail fails)")
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


@test("scripts")
def script_progress():
    r, out, truth = lines_of("progress")
    check(r.returncode == 0, f"status {r.returncode}")
    check(out[0] == "run started", out[0])
    check([l for l in out if l.startswith("[")], "at least one per-second line (the stress run lasts > 1 s)")
    check(len([l for l in out if l.startswith("run done after")]) == 1, "one run-done line")
    n = len(of(truth, "test-attempt-done"))
    check(f"@attempts_done: {n}" in out and f"@passed: {n}" in out, f"exact totals ({n}):\n" + "\n".join(out))
    check(not any(l.startswith("@failed") and l != "@failed: 0" for l in out), "no failures")


@test("scripts")
def script_concurrency():
    _r, out, truth = lines_of("concurrency")
    rows = [l for l in out if l.startswith("t=")]
    check(rows, "timeline lines")
    peak = max(int(l.split("peak")[1]) for l in rows)
    slots = max(json.loads(e["arg0"])["ok"]["global_slot"] for e in of(truth, "test-attempt-start")) + 1
    # +1: the running counter is a plain map counter (see concurrency.bt's header)
    check(1 <= peak <= slots + 1, f"peak {peak} within the {slots} slots used")
    check(any(l.startswith("@concurrency:") for l in out), "histogram")


@test("scripts")
def script_setup_scripts():
    _r, out, truth = lines_of("setup-scripts")
    for e in of(truth, "setup-script-start"):
        check(any(l.startswith(f"START {e['args'][1]} (pid {e['args'][2]})") for l in out), "\n".join(out))
    for e in of(truth, "setup-script-slow"):
        check(any(l.startswith(f"SLOW  {e['args'][1]} still running after") for l in out), "\n".join(out))
    for e in of(truth, "setup-script-done"):
        check(any(l.startswith(f"DONE  {e['args'][1]} {e['args'][2]} in ") for l in out), "\n".join(out))
    check(of(truth, "setup-script-slow") and of(truth, "setup-script-done"), "the scenario has slow scripts")


@test("scripts")
def script_stress():
    r, out, truth = lines_of("stress")
    check(r.returncode == 0, f"status {r.returncode}")
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


@test("scripts")
def script_leaks():
    _r, out, truth = lines_of("leaks")
    leaks = [l for l in out if l.startswith("LEAK")]
    want = [e for e in of(truth, "test-attempt-done") if e["args"][3] == "leak"]
    check(len(want) == 1 and len(leaks) == 1 and f"{want[0]['args'][1]} {want[0]['args'][2]} " in leaks[0],
          "\n".join(out))
    check(any(l.startswith(f"@leaks_per_binary[{want[0]['args'][1]}]: 1") for l in out), "count")


@test("scripts")
def script_events():
    _r, out, truth = lines_of("events")
    kinds = [l.split()[2] if l.split()[1] == "ms" else l.split()[1] for l in out]
    check(sorted(kinds) == sorted(e["probe"] for e in truth), f"one line per firing: {kinds}")
    check(kinds[0] == "run-start" and kinds[-1] == "run-done", kinds)


# ---- perfetto live ------------------------------------------------------------------
@test("perfetto")
def perfetto_live_trace_matches_the_truth():
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
        starts = [json.loads(e["arg0"])["ok"] for e in load_lines(truth) if e["probe"] == "test-attempt-start"]
        b = [e for e in evs if e["ph"] == "B" and e["cat"] == "test"]
        retries = sum(1 for d in starts if d["attempt"] > 1)
        check(len(b) == len(starts) == 8 and sum(1 for e in evs if e["ph"] == "s") == retries == 5,
              f"{len(b)} attempts, {retries} retries")
        res = [e["args"] for e in evs if e["name"] == "test results"]
        check(res[-1] == {"passed": 0, "flaky": 2, "failed": 1}, f"results {res[-1]}")


@test("perfetto")
def perfetto_ctrl_c_leaves_valid_json():
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


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--write-examples")
    ap.add_argument("groups", nargs="*")
    ARGS = ap.parse_args()
    ARGS.root, ARGS.build, ARGS.sim = (os.path.abspath(p) for p in (ARGS.root, ARGS.build, ARGS.sim))
    if ARGS.write_examples:
        os.makedirs(ARGS.write_examples, exist_ok=True)
    for group, fn in TESTS:
        if ARGS.groups and group not in ARGS.groups:
            continue
        t0 = time.time()
        try:
            fn()
            RESULTS["passed"] += 1
            print(f"ok     {group}: {fn.__name__} ({time.time() - t0:.1f}s)", flush=True)
        except Fail as e:
            RESULTS["failed"] += 1
            print(f"FAIL   {group}: {fn.__name__}: {e}", flush=True)
        except Exception:
            RESULTS["failed"] += 1
            print(f"FAIL   {group}: {fn.__name__}: {traceback.format_exc()}", flush=True)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
