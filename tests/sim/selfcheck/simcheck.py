"""simcheck: self-checks that pin nextest-sim to nextest's documented behaviour.

Owns: end-to-end checks of the simulator binary on a throwaway workspace
(tests/sim/selfcheck/ws, copied to build/sim-selfcheck/ws): environment per emulated version,
argv shapes, double-spawn argv (strace), exit codes, human and libtest-json lines, and truth
values for hand-computed cases. Expected values come from nextest's source and changelog
(release tags cargo-nextest-0.9.N), written out here independently of the simulator's code.
Each check_* group records its checks on a Checks (tests/lib/checks.py); the pytest cases
are test_selfcheck.py beside this file (make sim-selfcheck); any drift fails.
"""
import json
import os
import re
import shutil
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
SIM = os.path.join(ROOT, "build", "sim-target", "release", "nextest-sim")   # use_sim() sets it
BUILD = os.path.join(ROOT, "build", "sim-selfcheck")
WS = os.path.join(BUILD, "ws")
DUMPS = os.path.join(BUILD, "dumps")


def use_sim(path):
    """The simulator binary under test (make sim-selfcheck passes $(SIM_BIN))."""
    global SIM
    SIM = os.path.abspath(path)


def base_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEXTEST", "__NEXTEST", "CARGO_PKG", "CARGO_BIN_EXE", "CARGO_MANIFEST", "LD_"))
           and k not in ("OUT_DIR", "CI", "NO_COLOR")}
    env["CARGO_TARGET_DIR"] = os.path.join(BUILD, "target")
    env["SIMCHECK_DIR"] = DUMPS
    return env


def setup_ws():
    src = os.path.join(ROOT, "tests", "sim", "selfcheck", "ws")
    if os.path.isdir(WS):
        shutil.rmtree(WS)
    shutil.copytree(src, WS)
    subprocess.run(["cargo", "test", "--no-run", "--offline", "-q"], cwd=WS, env=base_env(), check=True)


def sim_for(version):
    """The simulator emulating `version` (None = the build's own, 0.9.143): a copy whose
    embedded version literal says so (`nextest-sim emulate VER DEST`)."""
    if version is None:
        return SIM
    path = os.path.join(BUILD, "sim-versions", version, "nextest-sim")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([SIM, "emulate", version, path], check=True)
    return path


def run(args, extra_env=None, strace=None, version=None):
    if os.path.isdir(DUMPS):
        shutil.rmtree(DUMPS)
    os.makedirs(DUMPS)
    env = base_env()
    env.update(extra_env or {})
    truth = os.path.join(BUILD, "truth.jsonl")
    if os.path.exists(truth):
        os.remove(truth)
    cmd = [sim_for(version), "nextest", "run", "--truth", truth] + args
    if strace:
        cmd = ["strace", "-f", "-s", "4096", "-o", strace, "-e", "trace=execve,clone,clone3,wait4,kill,pidfd_open"] + cmd
    p = subprocess.run(cmd, cwd=WS, env=env, capture_output=True)
    events = []
    with open(truth) as f:
        for line in f:
            events.append(json.loads(line))
    return p, events, load_dumps()


def load_dumps():
    out = []
    for name in sorted(os.listdir(DUMPS)):
        raw = open(os.path.join(DUMPS, name), "rb").read().decode()
        argv_part, env_part = raw.split("\0\0env\0")
        argv = argv_part.split("\0")[1:]
        env = dict(kv.split("=", 1) for kv in env_part.split("\0") if kv)
        out.append({"pid": int(name.split(".")[0]), "argv": argv, "env": env})
    return out


def arg0(ev):
    s = ev["arg0"]
    assert s.startswith('{"ok":') and s.endswith("}"), s
    return json.loads(s)["ok"]


def nextest_keys(env):
    return {k for k in env if k.startswith(("NEXTEST", "__NEXTEST", "CARGO_PKG_", "CARGO_BIN_EXE_"))
            or k in ("CARGO_MANIFEST_DIR", "OUT_DIR", "LD_LIBRARY_PATH")}


PKG = {"CARGO_PKG_" + k for k in ["VERSION", "VERSION_MAJOR", "VERSION_MINOR", "VERSION_PATCH", "VERSION_PRE",
                                  "AUTHORS", "NAME", "DESCRIPTION", "HOMEPAGE", "LICENSE", "LICENSE_FILE",
                                  "REPOSITORY", "RUST_VERSION"]}


def expected_keys(p, phase):
    """nextest-version-history.md §1.1, for the probe binary (an integration test with one bin)."""
    k = {"NEXTEST", "NEXTEST_EXECUTION_MODE", "CARGO_MANIFEST_DIR", "LD_LIBRARY_PATH",
         "NEXTEST_LD_LIBRARY_PATH", "NEXTEST_BIN_EXE_sim-tool"} | PKG
    if p < 86:
        k.add("__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR")
    if p >= 89:
        k.add("NEXTEST_PROFILE")
    if p >= 98:
        k.add("NEXTEST_TEST_PHASE")
    if p >= 113:
        k.add("NEXTEST_BIN_EXE_sim_tool")
    if p >= 130:
        k.add("CARGO_BIN_EXE_sim-tool")
    version = {"NEXTEST_VERSION", "NEXTEST_REQUIRED_VERSION", "NEXTEST_RECOMMENDED_VERSION"}
    if phase == "list":
        if p >= 138:
            k |= {"NEXTEST_RUN_ID", "NEXTEST_BINARY_ID", "NEXTEST_WORKSPACE_ROOT"} | version
        return k
    k.add("NEXTEST_RUN_ID")
    if p >= 90:
        k |= {"NEXTEST_TEST_GLOBAL_SLOT", "NEXTEST_TEST_GROUP", "NEXTEST_TEST_GROUP_SLOT"}
    if p >= 116:
        k |= {"NEXTEST_BINARY_ID", "NEXTEST_TEST_NAME", "NEXTEST_ATTEMPT", "NEXTEST_TOTAL_ATTEMPTS",
              "NEXTEST_ATTEMPT_ID", "NEXTEST_STRESS_CURRENT", "NEXTEST_STRESS_TOTAL"}
    else:
        k.add("__NEXTEST_ATTEMPT")
    if p >= 117:
        k.add("NEXTEST_RUN_MODE")
    if p >= 130:
        k |= {"NEXTEST_TEST_THREADS", "NEXTEST_WORKSPACE_ROOT"} | version
    return k


def probe_dumps(dumps):
    return [d for d in dumps if "/probe-" in d["argv"][0]]


def check_env_per_version(ck):
    for p in [48, 66, 90, 103, 107, 116, 143]:
        proc, events, dumps = run(["-j", "2", "check::pass"], version=f"0.9.{p}")
        ck.that(proc.returncode == 0, f"0.9.{p}: exit 0 (got {proc.returncode}: {proc.stderr[-300:]!r})")
        pd = probe_dumps(dumps)
        lists = [d for d in pd if "--list" in d["argv"]]
        runs = [d for d in pd if "--exact" in d["argv"]]
        ck.that(len(lists) == 2 and len(runs) == 1, f"0.9.{p}: 2 list + 1 run spawn of probe (got {len(lists)}, {len(runs)})")
        for d in lists:
            got, exp = nextest_keys(d["env"]), expected_keys(p, "list")
            ck.that(got == exp, f"0.9.{p} list env: extra {sorted(got - exp)} missing {sorted(exp - got)}")
            tail = d["argv"][1:]
            ck.that(tail in (["--list", "--format", "terse"], ["--list", "--format", "terse", "--ignored"]),
                     f"0.9.{p} list argv {tail}")
        for d in runs:
            e = d["env"]
            got, exp = nextest_keys(e), expected_keys(p, "run")
            ck.that(got == exp, f"0.9.{p} run env: extra {sorted(got - exp)} missing {sorted(exp - got)}")
            ck.that(d["argv"][1:] == ["--exact", "check::pass", "--nocapture"], f"0.9.{p} run argv {d['argv'][1:]}")
            ck.that(e["NEXTEST"] == "1" and e["NEXTEST_EXECUTION_MODE"] == "process-per-test", f"0.9.{p} NEXTEST vars")
            ck.that(e["CARGO_PKG_VERSION_PRE"] == "beta.4" and e["CARGO_PKG_AUTHORS"] == "A <a@example.com>:B"
                     and e["CARGO_PKG_VERSION_MAJOR"] == "1" and e["CARGO_PKG_DESCRIPTION"] == "self-check fixture",
                     f"0.9.{p} CARGO_PKG values")
            ck.that(e["CARGO_MANIFEST_DIR"] == WS, f"0.9.{p} CARGO_MANIFEST_DIR {e['CARGO_MANIFEST_DIR']}")
            if p < 116:
                ck.that(e["__NEXTEST_ATTEMPT"] == "1", f"0.9.{p} __NEXTEST_ATTEMPT")
            else:
                rid = e["NEXTEST_RUN_ID"]
                ck.that(e["NEXTEST_ATTEMPT"] == "1" and e["NEXTEST_TOTAL_ATTEMPTS"] == "1", f"0.9.{p} attempt vars")
                ck.that(e["NEXTEST_ATTEMPT_ID"] == f"{rid}:simcheck::probe$check::pass", f"0.9.{p} attempt id")
                ck.that(e["NEXTEST_STRESS_CURRENT"] == "none" and e["NEXTEST_STRESS_TOTAL"] == "none", f"0.9.{p} stress vars")
                ck.that(e["NEXTEST_BINARY_ID"] == "simcheck::probe" and e["NEXTEST_TEST_NAME"] == "check::pass", f"0.9.{p} ids")
            if p >= 90:
                ck.that(e["NEXTEST_TEST_GLOBAL_SLOT"] == "0" and e["NEXTEST_TEST_GROUP"] == "@global"
                         and e["NEXTEST_TEST_GROUP_SLOT"] == "none", f"0.9.{p} slot vars")
            if p >= 98:
                ck.that(e["NEXTEST_TEST_PHASE"] == "run", f"0.9.{p} phase")
            if p >= 130:
                ck.that(e["NEXTEST_TEST_THREADS"] == "2" and e["NEXTEST_VERSION"] == f"0.9.{p}"
                         and e["NEXTEST_REQUIRED_VERSION"] == "none" and e["NEXTEST_WORKSPACE_ROOT"] == WS, f"0.9.{p} 0.9.130 vars")
            if p >= 117:
                ck.that(e["NEXTEST_RUN_MODE"] == "test", f"0.9.{p} run mode")
        if p >= 138:
            run_ids = {d["env"]["NEXTEST_RUN_ID"] for d in pd}
            ck.that(len(run_ids) == 1, f"0.9.{p}: list and run share one run id")


def check_truth_and_lines(ck):
    proc, events, dumps = run(["-j", "1", "check::out_bytes", "check::pass", "check::fail_exit_7"])
    err = proc.stderr.decode()
    ck.that(proc.returncode == 100, f"failing run exits 100 (got {proc.returncode})")
    names = [e["probe"] for e in events]
    ck.that(names[0] == "run-start" and names[-1] == "run-done", f"run-start first, run-done last: {names}")
    ck.that(names.count("test-attempt-start") == 3 and names.count("test-attempt-done") == 3, "3 start/done pairs")
    rs = arg0(events[0])
    rid = rs["run_id"]
    ck.that(events[0]["args"] == ['{"ok":"%s"}' % rid], "run-start arg1 is {\"ok\":\"uuid\"}")
    ck.that(list(rs) == ["run_id", "profile_name", "total_tests", "filter_count", "test_threads", "stress_count",
                          "stress_infinite", "stress_duration_nanos"], f"run-start field order {list(rs)}")
    ck.that((rs["total_tests"], rs["filter_count"], rs["test_threads"], rs["stress_count"], rs["stress_infinite"])
             == (6, 3, 1, None, False), f"run-start values {rs}")
    runs = {d["pid"]: d for d in probe_dumps(dumps) if "--exact" in d["argv"]}
    for ev in events:
        if ev["probe"] == "test-attempt-start":
            a = arg0(ev)
            d = runs.get(a["pid"])
            ck.that(d is not None, f"start pid {a['pid']} is the test process (same pid after double-spawn exec)")
            if d:
                ck.that(a["program"] == d["argv"][0] and a["args"] == d["argv"][1:], "program/args = unwrapped argv")
            ck.that(list(a) == ["attempt_id", "run_id", "binary_id", "test_name", "pid", "program", "args", "attempt",
                                 "total_attempts", "stress_current", "stress_total", "global_slot", "group_slot",
                                 "test_group"], "test-attempt-start field order")
            ck.that(a["attempt_id"] == f"{rid}:simcheck::probe${a['test_name']}", f"attempt_id {a['attempt_id']}")
            ck.that(ev["args"] == [a["attempt_id"], "simcheck::probe", a["test_name"], a["pid"]], "start scalar args")
            ck.that((a["global_slot"], a["group_slot"], a["test_group"], a["stress_current"]) == (0, None, None, None), "slots")
    done = {arg0(e)["test_name"]: (arg0(e), e) for e in events if e["probe"] == "test-attempt-done"}
    ob, ev = done["check::out_bytes"]
    ck.that(list(ob) == ["attempt_id", "run_id", "binary_id", "test_name", "attempt", "total_attempts", "result",
                          "exit_code", "duration_nanos", "leaked", "time_to_close_fds_nanos", "stress_current",
                          "stress_total", "stdout_len", "stderr_len"], "test-attempt-done field order")
    ck.that((ob["result"], ob["exit_code"], ob["leaked"], ob["stdout_len"], ob["stderr_len"]) == ("pass", 0, False, 10, 3),
             f"out_bytes done values {ob}")
    ck.that(ob["time_to_close_fds_nanos"] is not None and ob["time_to_close_fds_nanos"] < 5_000_000, "time_to_close ~0")
    ck.that(ev["args"][3:] == ["pass", ob["duration_nanos"]], "done scalar args")
    fx, _ = done["check::fail_exit_7"]
    ck.that((fx["result"], fx["exit_code"]) == ("fail", 7), f"fail_exit_7 done {fx}")
    rd = arg0(events[-1])
    ck.that((rd["total_tests"], rd["passed"], rd["failed"], rd["skipped"], rd["paused_nanos"], rd["stress_completed"])
             == (3, 2, 1, 3, 0, None), f"run-done values {rd}")
    # Human lines (current version, stderr piped → counter, no colour).
    lines = err.splitlines()
    ck.that("────────────" in lines, "unicode rule line")
    ck.that(f" Nextest run ID {rid} with nextest profile: default" in lines, "run id line")
    ck.that("    Starting 3 tests across 3 binaries (3 tests skipped)" in lines, "Starting line")
    ck.that(any(re.fullmatch(r"        PASS \[ +\d+\.\d{3}s\] \(\d/3\) simcheck::probe check::pass", l) for l in lines), "PASS line")
    ck.that(any(re.fullmatch(r"        FAIL \[ +\d+\.\d{3}s\] \(\d/3\) simcheck::probe check::fail_exit_7", l) for l in lines), "FAIL line")
    ck.that(any(re.fullmatch(r"     Summary \[ +\d+\.\d{3}s\] 3 tests run: 2 passed, 1 failed, 3 skipped", l) for l in lines), "Summary line")
    ck.that("error: test run failed" in lines, "error line")


def check_old_human(ck):
    proc, _, _ = run(["check::pass"], version="0.9.48")
    lines = proc.stderr.decode().splitlines()
    ck.that("    Starting 1 tests across 3 binaries (5 skipped)" in lines, f"0.9.48 Starting line: {lines}")
    ck.that(not any("Nextest run ID" in l for l in lines), "0.9.48 has no run ID line")
    ck.that(any(re.fullmatch(r"        PASS \[ +\d+\.\d{3}s\]        simcheck::probe check::pass", l) for l in lines),
             "0.9.48 PASS line: padded binary id, no counter")
    ck.that("------------" in lines, "0.9.48 ascii rule")
    proc, _, _ = run(["check::pass"], version="0.9.70")
    ck.that(any(re.fullmatch(r"    Starting 1 test across 3 binaries \(5 skipped; run ID: [0-9a-f-]{36}, nextest profile: default\)", l)
                 for l in proc.stderr.decode().splitlines()), "0.9.70 Starting line with run ID")


def check_slow_timeout(ck):
    proc, events, _ = run(["-P", "slowp", "check::slow"], {"SIMCHECK_SLOW_MS": "3000"})
    slow = [arg0(e) for e in events if e["probe"] == "test-attempt-slow"]
    ck.that([(s["elapsed_nanos"], s["will_terminate"]) for s in slow] == [(300000000, False), (600000000, True)],
             f"slow events at k x period: {slow}")
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    ck.that((d["result"], d["exit_code"]) == ("timeout", None), f"timeout done {d}")
    ck.that(600_000_000 <= d["duration_nanos"] < 1_500_000_000, f"timeout duration {d['duration_nanos']}")
    lines = proc.stderr.decode().splitlines()
    ck.that(any(re.fullmatch(r"        SLOW \[>  0\.300s\] \(───\) simcheck::probe check::slow", l) for l in lines), "SLOW line")
    ck.that(any(re.fullmatch(r" TERMINATING \[>  0\.600s\] \(───\) simcheck::probe check::slow", l) for l in lines), "TERMINATING line")
    ck.that(any(re.fullmatch(r"     TIMEOUT \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::slow", l) for l in lines), "TIMEOUT line")
    ck.that(proc.returncode == 100, "timeout exits 100")


def check_retries_and_flaky(ck):
    proc, events, dumps = run(["-P", "retry", "check::flaky"])
    starts = [arg0(e) for e in events if e["probe"] == "test-attempt-start"]
    ck.that([(s["attempt"], s["total_attempts"]) for s in starts] == [(1, 3), (2, 3)], f"flaky attempts {starts}")
    if len(starts) == 2:
        ck.that(starts[1]["attempt_id"].endswith("$check::flaky#2") and "#" not in starts[0]["attempt_id"], "attempt_id #2 suffix")
    attempts = sorted(d["env"]["NEXTEST_ATTEMPT"] for d in probe_dumps(dumps) if "--exact" in d["argv"])
    ck.that(attempts == ["1", "2"], f"NEXTEST_ATTEMPT values {attempts}")
    lines = proc.stderr.decode().splitlines()
    ck.that(any(re.fullmatch(r"  TRY 1 FAIL \[ +\d+\.\d{3}s\] \(───\) simcheck::probe check::flaky", l) for l in lines), "TRY 1 FAIL line")
    ck.that(any(re.fullmatch(r"  TRY 2 PASS \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::flaky", l) for l in lines), "TRY 2 PASS line")
    ck.that(any(re.fullmatch(r"   FLAKY 2/3 \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::flaky", l) for l in lines), "FLAKY line")
    ck.that(proc.returncode == 0, "flaky run exits 0")
    proc, _, _ = run(["-P", "retry", "check::flaky"], version="0.9.103")
    ck.that(any(re.fullmatch(r"   RETRY 2/3 \[         \] simcheck::probe check::flaky", l)
                 for l in proc.stderr.decode().splitlines()), "0.9.103 RETRY line (no counter before 0.9.107)")


def check_libtest_and_capture(ck):
    env = {"NEXTEST_EXPERIMENTAL_LIBTEST_JSON": "1"}
    proc, events, _ = run(["--message-format", "libtest-json", "check::pass"], env)
    out = proc.stdout.decode().splitlines()
    exp = [
        '{"type":"suite","event":"started","test_count":2}',
        '{"type":"test","event":"started","name":"simcheck::probe$check::ignored_one"}',
        '{"type":"suite","event":"ok","passed":0,"failed":0,"ignored":1,"measured":0,"filtered_out":4,"exec_time":0}',
        '{"type":"suite","event":"started","test_count":2}',
        '{"type":"test","event":"started","name":"simcheck::probe$check::pass"}',
    ]
    ck.that(out[:5] == exp, f"libtest-json lines (ignored-skip quirk flushes the suite early): {out}")
    ck.that(len(out) == 7 and re.fullmatch(r'\{"type":"test","event":"ok","name":"simcheck::probe\$check::pass","exec_time":[0-9.e-]+\}', out[5] or "")
             is not None, "libtest ok line")
    proc, events, _ = run(["--message-format", "libtest-json-plus", "check::out_bytes"], env)
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    ck.that((d["stdout_len"], d["stderr_len"]) == (13, None), f"Combined capture lengths {d}")
    out = proc.stdout.decode().splitlines()
    ck.that(out and out[0] == '{"type":"suite","event":"started","test_count":2,"nextest":{"crate":"simcheck","test_binary":"probe","kind":"test"}}',
             f"plus suite line {out[:1]}")
    proc, _, _ = run(["--no-capture", "--message-format", "libtest-json-plus", "check::fail_exit_7"], env)
    ck.that('"stdout":"(stdout not captured)\\n(stderr not captured)\n"}' in proc.stdout.decode(),
             "no-capture failure: literal newline quirk in the libtest stdout field")
    proc, _, _ = run(["--message-format", "libtest-json", "check::pass"])
    ck.that(proc.returncode == 95, f"libtest without NEXTEST_EXPERIMENTAL_LIBTEST_JSON exits 95 (got {proc.returncode})")
    proc, events, _ = run(["--no-capture", "check::out_bytes"])
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    ck.that((d["stdout_len"], d["stderr_len"], d["leaked"]) == (None, None, False) and d["time_to_close_fds_nanos"] is not None,
             f"no-capture done {d}")
    ck.that(arg0(events[0])["test_threads"] == 1, "--no-capture forces 1 thread")


def check_misc(ck):
    proc, events, _ = run(["no_such_test"])
    ck.that(proc.returncode == 4, f"no tests run exits 4 (got {proc.returncode})")
    proc, _, _ = run(["--stress-count", "2"], version="0.9.90")
    ck.that(proc.returncode == 2, "stress refused before 0.9.103")
    proc, events, _ = run(["--stress-count", "2", "check::pass"])
    sub = [(e["probe"], e["args"]) for e in events if e["probe"].startswith("stress")]
    rid = arg0(events[0])["run_id"]
    ck.that(sub == [("stress-sub-run-start", [f"{rid}:@stress-0", 0]), ("stress-sub-run-done", [f"{rid}:@stress-1", 0]),
                     ("stress-sub-run-start", [f"{rid}:@stress-1", 1]), ("stress-sub-run-done", [f"{rid}:@stress-2", 1])],
             f"stress sub-run ids (done id is current+1): {sub}")
    rd = arg0(events[-1])
    ck.that((rd["stress_completed"], rd["stress_success"], rd["stress_failed"]) == (2, 2, 0), f"stress run-done {rd}")
    # Double-spawn argv and syscall shapes.
    trace = os.path.join(BUILD, "strace.txt")
    run(["check::pass"], strace=trace)
    t = open(trace).read()
    ck.that(re.search(r'execve\("/proc/self/exe", \["/proc/self/exe", "__double-spawn", "--", "[^"]*/probe-[0-9a-f]+", "--exact check::pass --nocapture"\]', t)
             is not None, "double-spawn execve argv")
    ck.that("clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD" in t, "posix_spawnp → clone3(CLONE_VM|CLONE_VFORK)")
    ck.that(re.search(r"wait4\(\d+, .*WNOHANG", t) is not None and "pidfd_open(" in t, "pidfd + waitpid(WNOHANG) reaping")
    child_pids = set(re.findall(r'^(\d+)\s+execve\("/proc/self/exe", \["/proc/self/exe", "__double-spawn"', t, re.M))
    ck.that(child_pids and not any(re.search(rf"wait4\({p}, [^,]*, 0,", t) for p in child_pids),
             "no blocking waitpid for list/test children")
    run(["check::pass"], {"NEXTEST_DOUBLE_SPAWN": "0"}, strace=trace)
    t = open(trace).read()
    ck.that("__double-spawn" not in t and re.search(r'execve\("[^"]*/probe-[0-9a-f]+", \[[^]]*"--exact", "check::pass", "--nocapture"\]', t),
             "NEXTEST_DOUBLE_SPAWN=0 spawns the test directly")
    run(["--spawn-path", "fork", "check::pass"], strace=trace)
    t = open(trace).read()
    ck.that(re.search(r"clone3\(\{flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD|clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID", t) is not None,
             "--spawn-path fork uses fork()")
    run(["--reaper", "sigchld", "check::pass"], strace=trace)
    t = open(trace).read()
    ck.that("pidfd_open(" not in t and re.search(r"wait4\(\d+, 0x[0-9a-f]+, WNOHANG, NULL\) = 0", t) is not None,
             "sigchld reaper: waitpid(WNOHANG) polls returning 0")
    # The sim's __double-spawn: split + exec, 70 on failure.
    p = subprocess.run([SIM, "__double-spawn", "--", "/bin/sh", "-c 'exit 3'"])
    ck.that(p.returncode == 3, "__double-spawn execs the split command")
    p = subprocess.run([SIM, "__double-spawn", "--", "/nonexistent/x", ""], stderr=subprocess.DEVNULL)
    ck.that(p.returncode == 70, "__double-spawn exits 70 when exec fails")
    p = subprocess.run([SIM, "__double-spawn", "--", "/bin/sh", "'unterminated"], stderr=subprocess.DEVNULL)
    ck.that(p.returncode == 70, "__double-spawn exits 70 when split fails")


GROUPS = [check_env_per_version, check_truth_and_lines, check_old_human, check_slow_timeout,
          check_retries_and_flaky, check_libtest_and_capture, check_misc]
