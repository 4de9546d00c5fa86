#!/usr/bin/env python3
"""Self-checks that pin nextest-sim to nextest's documented behaviour.

Owns: end-to-end checks of the simulator binary on a throwaway workspace
(tests/sim/selfcheck/ws, copied to build/sim-selfcheck/ws): environment per emulated version,
argv shapes, double-spawn argv (strace), exit codes, human and libtest-json lines, and truth
values for hand-computed cases. Expected values come from nextest's source and changelog
(release tags cargo-nextest-0.9.N), written out here independently of the simulator's code. Any drift fails the run (exit 1).

usage: selfcheck.py SIM_BINARY REPO_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys

SIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
BUILD = os.path.join(ROOT, "build", "sim-selfcheck")
WS = os.path.join(BUILD, "ws")
DUMPS = os.path.join(BUILD, "dumps")
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)
    return cond


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


def check_env_per_version():
    for p in [48, 66, 90, 103, 107, 116, 143]:
        proc, events, dumps = run(["-j", "2", "check::pass"], version=f"0.9.{p}")
        check(proc.returncode == 0, f"0.9.{p}: exit 0 (got {proc.returncode}: {proc.stderr[-300:]!r})")
        pd = probe_dumps(dumps)
        lists = [d for d in pd if "--list" in d["argv"]]
        runs = [d for d in pd if "--exact" in d["argv"]]
        check(len(lists) == 2 and len(runs) == 1, f"0.9.{p}: 2 list + 1 run spawn of probe (got {len(lists)}, {len(runs)})")
        for d in lists:
            got, exp = nextest_keys(d["env"]), expected_keys(p, "list")
            check(got == exp, f"0.9.{p} list env: extra {sorted(got - exp)} missing {sorted(exp - got)}")
            tail = d["argv"][1:]
            check(tail in (["--list", "--format", "terse"], ["--list", "--format", "terse", "--ignored"]),
                  f"0.9.{p} list argv {tail}")
        for d in runs:
            e = d["env"]
            got, exp = nextest_keys(e), expected_keys(p, "run")
            check(got == exp, f"0.9.{p} run env: extra {sorted(got - exp)} missing {sorted(exp - got)}")
            check(d["argv"][1:] == ["--exact", "check::pass", "--nocapture"], f"0.9.{p} run argv {d['argv'][1:]}")
            check(e["NEXTEST"] == "1" and e["NEXTEST_EXECUTION_MODE"] == "process-per-test", f"0.9.{p} NEXTEST vars")
            check(e["CARGO_PKG_VERSION_PRE"] == "beta.4" and e["CARGO_PKG_AUTHORS"] == "A <a@example.com>:B"
                  and e["CARGO_PKG_VERSION_MAJOR"] == "1" and e["CARGO_PKG_DESCRIPTION"] == "self-check fixture",
                  f"0.9.{p} CARGO_PKG values")
            check(e["CARGO_MANIFEST_DIR"] == WS, f"0.9.{p} CARGO_MANIFEST_DIR {e['CARGO_MANIFEST_DIR']}")
            if p < 116:
                check(e["__NEXTEST_ATTEMPT"] == "1", f"0.9.{p} __NEXTEST_ATTEMPT")
            else:
                rid = e["NEXTEST_RUN_ID"]
                check(e["NEXTEST_ATTEMPT"] == "1" and e["NEXTEST_TOTAL_ATTEMPTS"] == "1", f"0.9.{p} attempt vars")
                check(e["NEXTEST_ATTEMPT_ID"] == f"{rid}:simcheck::probe$check::pass", f"0.9.{p} attempt id")
                check(e["NEXTEST_STRESS_CURRENT"] == "none" and e["NEXTEST_STRESS_TOTAL"] == "none", f"0.9.{p} stress vars")
                check(e["NEXTEST_BINARY_ID"] == "simcheck::probe" and e["NEXTEST_TEST_NAME"] == "check::pass", f"0.9.{p} ids")
            if p >= 90:
                check(e["NEXTEST_TEST_GLOBAL_SLOT"] == "0" and e["NEXTEST_TEST_GROUP"] == "@global"
                      and e["NEXTEST_TEST_GROUP_SLOT"] == "none", f"0.9.{p} slot vars")
            if p >= 98:
                check(e["NEXTEST_TEST_PHASE"] == "run", f"0.9.{p} phase")
            if p >= 130:
                check(e["NEXTEST_TEST_THREADS"] == "2" and e["NEXTEST_VERSION"] == f"0.9.{p}"
                      and e["NEXTEST_REQUIRED_VERSION"] == "none" and e["NEXTEST_WORKSPACE_ROOT"] == WS, f"0.9.{p} 0.9.130 vars")
            if p >= 117:
                check(e["NEXTEST_RUN_MODE"] == "test", f"0.9.{p} run mode")
        if p >= 138:
            run_ids = {d["env"]["NEXTEST_RUN_ID"] for d in pd}
            check(len(run_ids) == 1, f"0.9.{p}: list and run share one run id")


def check_truth_and_lines():
    proc, events, dumps = run(["-j", "1", "check::out_bytes", "check::pass", "check::fail_exit_7"])
    err = proc.stderr.decode()
    check(proc.returncode == 100, f"failing run exits 100 (got {proc.returncode})")
    names = [e["probe"] for e in events]
    check(names[0] == "run-start" and names[-1] == "run-done", f"run-start first, run-done last: {names}")
    check(names.count("test-attempt-start") == 3 and names.count("test-attempt-done") == 3, "3 start/done pairs")
    rs = arg0(events[0])
    rid = rs["run_id"]
    check(events[0]["args"] == ['{"ok":"%s"}' % rid], "run-start arg1 is {\"ok\":\"uuid\"}")
    check(list(rs) == ["run_id", "profile_name", "total_tests", "filter_count", "test_threads", "stress_count",
                       "stress_infinite", "stress_duration_nanos"], f"run-start field order {list(rs)}")
    check((rs["total_tests"], rs["filter_count"], rs["test_threads"], rs["stress_count"], rs["stress_infinite"])
          == (6, 3, 1, None, False), f"run-start values {rs}")
    runs = {d["pid"]: d for d in probe_dumps(dumps) if "--exact" in d["argv"]}
    for ev in events:
        if ev["probe"] == "test-attempt-start":
            a = arg0(ev)
            d = runs.get(a["pid"])
            check(d is not None, f"start pid {a['pid']} is the test process (same pid after double-spawn exec)")
            if d:
                check(a["program"] == d["argv"][0] and a["args"] == d["argv"][1:], "program/args = unwrapped argv")
            check(list(a) == ["attempt_id", "run_id", "binary_id", "test_name", "pid", "program", "args", "attempt",
                              "total_attempts", "stress_current", "stress_total", "global_slot", "group_slot",
                              "test_group"], "test-attempt-start field order")
            check(a["attempt_id"] == f"{rid}:simcheck::probe${a['test_name']}", f"attempt_id {a['attempt_id']}")
            check(ev["args"] == [a["attempt_id"], "simcheck::probe", a["test_name"], a["pid"]], "start scalar args")
            check((a["global_slot"], a["group_slot"], a["test_group"], a["stress_current"]) == (0, None, None, None), "slots")
    done = {arg0(e)["test_name"]: (arg0(e), e) for e in events if e["probe"] == "test-attempt-done"}
    ob, ev = done["check::out_bytes"]
    check(list(ob) == ["attempt_id", "run_id", "binary_id", "test_name", "attempt", "total_attempts", "result",
                       "exit_code", "duration_nanos", "leaked", "time_to_close_fds_nanos", "stress_current",
                       "stress_total", "stdout_len", "stderr_len"], "test-attempt-done field order")
    check((ob["result"], ob["exit_code"], ob["leaked"], ob["stdout_len"], ob["stderr_len"]) == ("pass", 0, False, 10, 3),
          f"out_bytes done values {ob}")
    check(ob["time_to_close_fds_nanos"] is not None and ob["time_to_close_fds_nanos"] < 5_000_000, "time_to_close ~0")
    check(ev["args"][3:] == ["pass", ob["duration_nanos"]], "done scalar args")
    fx, _ = done["check::fail_exit_7"]
    check((fx["result"], fx["exit_code"]) == ("fail", 7), f"fail_exit_7 done {fx}")
    rd = arg0(events[-1])
    check((rd["total_tests"], rd["passed"], rd["failed"], rd["skipped"], rd["paused_nanos"], rd["stress_completed"])
          == (3, 2, 1, 3, 0, None), f"run-done values {rd}")
    # Human lines (current version, stderr piped → counter, no colour).
    lines = err.splitlines()
    check("────────────" in lines, "unicode rule line")
    check(f" Nextest run ID {rid} with nextest profile: default" in lines, "run id line")
    check("    Starting 3 tests across 3 binaries (3 tests skipped)" in lines, "Starting line")
    check(any(re.fullmatch(r"        PASS \[ +\d+\.\d{3}s\] \(\d/3\) simcheck::probe check::pass", l) for l in lines), "PASS line")
    check(any(re.fullmatch(r"        FAIL \[ +\d+\.\d{3}s\] \(\d/3\) simcheck::probe check::fail_exit_7", l) for l in lines), "FAIL line")
    check(any(re.fullmatch(r"     Summary \[ +\d+\.\d{3}s\] 3 tests run: 2 passed, 1 failed, 3 skipped", l) for l in lines), "Summary line")
    check("error: test run failed" in lines, "error line")


def check_old_human():
    proc, _, _ = run(["check::pass"], version="0.9.48")
    lines = proc.stderr.decode().splitlines()
    check("    Starting 1 tests across 3 binaries (5 skipped)" in lines, f"0.9.48 Starting line: {lines}")
    check(not any("Nextest run ID" in l for l in lines), "0.9.48 has no run ID line")
    check(any(re.fullmatch(r"        PASS \[ +\d+\.\d{3}s\]        simcheck::probe check::pass", l) for l in lines),
          "0.9.48 PASS line: padded binary id, no counter")
    check("------------" in lines, "0.9.48 ascii rule")
    proc, _, _ = run(["check::pass"], version="0.9.70")
    check(any(re.fullmatch(r"    Starting 1 test across 3 binaries \(5 skipped; run ID: [0-9a-f-]{36}, nextest profile: default\)", l)
              for l in proc.stderr.decode().splitlines()), "0.9.70 Starting line with run ID")


def check_slow_timeout():
    proc, events, _ = run(["-P", "slowp", "check::slow"], {"SIMCHECK_SLOW_MS": "3000"})
    slow = [arg0(e) for e in events if e["probe"] == "test-attempt-slow"]
    check([(s["elapsed_nanos"], s["will_terminate"]) for s in slow] == [(300000000, False), (600000000, True)],
          f"slow events at k x period: {slow}")
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    check((d["result"], d["exit_code"]) == ("timeout", None), f"timeout done {d}")
    check(600_000_000 <= d["duration_nanos"] < 1_500_000_000, f"timeout duration {d['duration_nanos']}")
    lines = proc.stderr.decode().splitlines()
    check(any(re.fullmatch(r"        SLOW \[>  0\.300s\] \(───\) simcheck::probe check::slow", l) for l in lines), "SLOW line")
    check(any(re.fullmatch(r" TERMINATING \[>  0\.600s\] \(───\) simcheck::probe check::slow", l) for l in lines), "TERMINATING line")
    check(any(re.fullmatch(r"     TIMEOUT \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::slow", l) for l in lines), "TIMEOUT line")
    check(proc.returncode == 100, "timeout exits 100")


def check_retries_and_flaky():
    proc, events, dumps = run(["-P", "retry", "check::flaky"])
    starts = [arg0(e) for e in events if e["probe"] == "test-attempt-start"]
    check([(s["attempt"], s["total_attempts"]) for s in starts] == [(1, 3), (2, 3)], f"flaky attempts {starts}")
    if len(starts) == 2:
        check(starts[1]["attempt_id"].endswith("$check::flaky#2") and "#" not in starts[0]["attempt_id"], "attempt_id #2 suffix")
    attempts = sorted(d["env"]["NEXTEST_ATTEMPT"] for d in probe_dumps(dumps) if "--exact" in d["argv"])
    check(attempts == ["1", "2"], f"NEXTEST_ATTEMPT values {attempts}")
    lines = proc.stderr.decode().splitlines()
    check(any(re.fullmatch(r"  TRY 1 FAIL \[ +\d+\.\d{3}s\] \(───\) simcheck::probe check::flaky", l) for l in lines), "TRY 1 FAIL line")
    check(any(re.fullmatch(r"  TRY 2 PASS \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::flaky", l) for l in lines), "TRY 2 PASS line")
    check(any(re.fullmatch(r"   FLAKY 2/3 \[ +\d+\.\d{3}s\] \(1/1\) simcheck::probe check::flaky", l) for l in lines), "FLAKY line")
    check(proc.returncode == 0, "flaky run exits 0")
    proc, _, _ = run(["-P", "retry", "check::flaky"], version="0.9.103")
    check(any(re.fullmatch(r"   RETRY 2/3 \[         \] simcheck::probe check::flaky", l)
              for l in proc.stderr.decode().splitlines()), "0.9.103 RETRY line (no counter before 0.9.107)")


def check_libtest_and_capture():
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
    check(out[:5] == exp, f"libtest-json lines (ignored-skip quirk flushes the suite early): {out}")
    check(len(out) == 7 and re.fullmatch(r'\{"type":"test","event":"ok","name":"simcheck::probe\$check::pass","exec_time":[0-9.e-]+\}', out[5] or "")
          is not None, "libtest ok line")
    proc, events, _ = run(["--message-format", "libtest-json-plus", "check::out_bytes"], env)
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    check((d["stdout_len"], d["stderr_len"]) == (13, None), f"Combined capture lengths {d}")
    out = proc.stdout.decode().splitlines()
    check(out and out[0] == '{"type":"suite","event":"started","test_count":2,"nextest":{"crate":"simcheck","test_binary":"probe","kind":"test"}}',
          f"plus suite line {out[:1]}")
    proc, _, _ = run(["--no-capture", "--message-format", "libtest-json-plus", "check::fail_exit_7"], env)
    check('"stdout":"(stdout not captured)\\n(stderr not captured)\n"}' in proc.stdout.decode(),
          "no-capture failure: literal newline quirk in the libtest stdout field")
    proc, _, _ = run(["--message-format", "libtest-json", "check::pass"])
    check(proc.returncode == 95, f"libtest without NEXTEST_EXPERIMENTAL_LIBTEST_JSON exits 95 (got {proc.returncode})")
    proc, events, _ = run(["--no-capture", "check::out_bytes"])
    d = [arg0(e) for e in events if e["probe"] == "test-attempt-done"][0]
    check((d["stdout_len"], d["stderr_len"], d["leaked"]) == (None, None, False) and d["time_to_close_fds_nanos"] is not None,
          f"no-capture done {d}")
    check(arg0(events[0])["test_threads"] == 1, "--no-capture forces 1 thread")


def check_misc():
    proc, events, _ = run(["no_such_test"])
    check(proc.returncode == 4, f"no tests run exits 4 (got {proc.returncode})")
    proc, _, _ = run(["--stress-count", "2"], version="0.9.90")
    check(proc.returncode == 2, "stress refused before 0.9.103")
    proc, events, _ = run(["--stress-count", "2", "check::pass"])
    sub = [(e["probe"], e["args"]) for e in events if e["probe"].startswith("stress")]
    rid = arg0(events[0])["run_id"]
    check(sub == [("stress-sub-run-start", [f"{rid}:@stress-0", 0]), ("stress-sub-run-done", [f"{rid}:@stress-1", 0]),
                  ("stress-sub-run-start", [f"{rid}:@stress-1", 1]), ("stress-sub-run-done", [f"{rid}:@stress-2", 1])],
          f"stress sub-run ids (done id is current+1): {sub}")
    rd = arg0(events[-1])
    check((rd["stress_completed"], rd["stress_success"], rd["stress_failed"]) == (2, 2, 0), f"stress run-done {rd}")
    # Double-spawn argv and syscall shapes.
    trace = os.path.join(BUILD, "strace.txt")
    run(["check::pass"], strace=trace)
    t = open(trace).read()
    check(re.search(r'execve\("/proc/self/exe", \["/proc/self/exe", "__double-spawn", "--", "[^"]*/probe-[0-9a-f]+", "--exact check::pass --nocapture"\]', t)
          is not None, "double-spawn execve argv")
    check("clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD" in t, "posix_spawnp → clone3(CLONE_VM|CLONE_VFORK)")
    check(re.search(r"wait4\(\d+, .*WNOHANG", t) is not None and "pidfd_open(" in t, "pidfd + waitpid(WNOHANG) reaping")
    child_pids = set(re.findall(r'^(\d+)\s+execve\("/proc/self/exe", \["/proc/self/exe", "__double-spawn"', t, re.M))
    check(child_pids and not any(re.search(rf"wait4\({p}, [^,]*, 0,", t) for p in child_pids),
          "no blocking waitpid for list/test children")
    run(["check::pass"], {"NEXTEST_DOUBLE_SPAWN": "0"}, strace=trace)
    t = open(trace).read()
    check("__double-spawn" not in t and re.search(r'execve\("[^"]*/probe-[0-9a-f]+", \[[^]]*"--exact", "check::pass", "--nocapture"\]', t),
          "NEXTEST_DOUBLE_SPAWN=0 spawns the test directly")
    run(["--spawn-path", "fork", "check::pass"], strace=trace)
    t = open(trace).read()
    check(re.search(r"clone3\(\{flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD|clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID", t) is not None,
          "--spawn-path fork uses fork()")
    run(["--reaper", "sigchld", "check::pass"], strace=trace)
    t = open(trace).read()
    check("pidfd_open(" not in t and re.search(r"wait4\(\d+, 0x[0-9a-f]+, WNOHANG, NULL\) = 0", t) is not None,
          "sigchld reaper: waitpid(WNOHANG) polls returning 0")
    # The sim's __double-spawn: split + exec, 70 on failure.
    p = subprocess.run([SIM, "__double-spawn", "--", "/bin/sh", "-c 'exit 3'"])
    check(p.returncode == 3, "__double-spawn execs the split command")
    p = subprocess.run([SIM, "__double-spawn", "--", "/nonexistent/x", ""], stderr=subprocess.DEVNULL)
    check(p.returncode == 70, "__double-spawn exits 70 when exec fails")
    p = subprocess.run([SIM, "__double-spawn", "--", "/bin/sh", "'unterminated"], stderr=subprocess.DEVNULL)
    check(p.returncode == 70, "__double-spawn exits 70 when split fails")


def main():
    os.makedirs(BUILD, exist_ok=True)
    setup_ws()
    for f in [check_env_per_version, check_truth_and_lines, check_old_human, check_slow_timeout,
              check_retries_and_flaky, check_libtest_and_capture, check_misc]:
        print("==", f.__name__)
        f()
    if FAILS:
        print(f"sim-selfcheck: {len(FAILS)} check(s) failed")
        sys.exit(1)
    print("sim-selfcheck: all checks passed")


if __name__ == "__main__":
    main()
