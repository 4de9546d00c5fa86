#!/usr/bin/env python3
"""run_e2e: runs the scenarios under real bpftrace with the shim preloaded, diffs the
captured events against the truth, and checks that the shim changed nothing the runner
does (exit code, stdout, stderr).

Owns: executing scenarios and judging them.  Usage:
    run_e2e.py --lib build/libnextest_probes.so [--sim build/sim-target/release/nextest-sim]
               [--out build/e2e/runs] [--emulate VER …] [SCENARIO …]
Runner: the simulator by default; NEXTEST_E2E_RUNNER=cargo-nextest (or --runner) runs real
`cargo nextest run` instead.  When that nextest has native probes (`readelf -n` shows
provider nextest), its own probes, captured in the same bpftrace session, are the truth;
without native probes there is no truth and only the order rules and the unchanged-output
check apply.  Prints one line per run and a final `N passed, N failed`; exit 1 on failure.
Each run line names the nextest version the library detected (it appends it to the file
named by LIBNEXTEST_PROBES_VERSION_LOG, docs/compatibility.md); a run whose detected
version is not the emulated (or real) one fails.
"""

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time

import bpfparse
import capture
import events
import fixtures
import mask
import nextest_config
import scenarios
import truthdiff

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checks import Checks  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "versions"))
import junit  # noqa: E402  (tests/versions/junit.py)
import versionlog  # noqa: E402  (tests/versions/versionlog.py)
import libtest  # noqa: E402  (tests/versions/libtest.py)
import recording  # noqa: E402  (tests/versions/recording.py)
import slowlines  # noqa: E402  (tests/versions/slowlines.py)
import leaklines  # noqa: E402  (tests/versions/leaklines.py)
import suitesplit  # noqa: E402  (tests/versions/suitesplit.py)
import records  # noqa: E402  (tests/versions/records.py)
import preempt  # noqa: E402  (tests/native/preempt.py, put on the path by records.py)

# real nextest >= 0.9.131 with --junit: its run recording is read too (NEXTEST_STATE_DIR)
RECORD_STATE = None


def has_native_probes(path):
    p = subprocess.run(["readelf", "-n", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return b"Provider: nextest" in p.stdout


def nextest_binary():
    path = shutil.which("cargo-nextest")
    return os.path.realpath(path) if path else None


VERSION_LOG_ENV = versionlog.ENV


def sim_for(sim, version, outdir):
    """The simulator emulating `version` (None: the build itself, 0.9.143): a copy whose
    embedded version literal names it, as real nextest's binary does.  Nothing on the command
    line or in the environment tells the library which version it is."""
    if version is None:
        return sim
    path = os.path.abspath(os.path.join(outdir, "sim-versions", version, "nextest-sim"))
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(sim):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([sim, "emulate", version, path], check=True)
    return path


def detected_version(path):
    """(version, source) from the library's detection log, or (None, why)."""
    return versionlog.parse(path)


class Run:
    def __init__(self, scenario, version, outdir):
        self.s, self.ver = scenario, version
        self.tag = scenario.name + (f"@{version}" if version else "")
        self.dir = os.path.join(outdir, self.tag)
        os.makedirs(self.dir, exist_ok=True)
        self.truth_path = os.path.join(self.dir, "truth.jsonl")
        self.version_log = os.path.join(self.dir, "version.log")
        self.problems = []
        self.notes = []

    def command(self, runner, sim, truth_path, real_args=()):
        if runner == "sim":
            exe = sim_for(sim, self.ver, os.path.dirname(self.dir))
            return [exe, "run", *self.s.sim_args, "--truth", truth_path, *self.s.args]
        return ["cargo", "nextest", "run", *real_args, *self.s.args]


def scenario_profile(s):
    args = s.args
    for i, a in enumerate(args):
        if a in ("-P", "--profile") and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--profile="):
            return a.split("=", 1)[1]
    return s.env.get("NEXTEST_PROFILE", "default")


def junit_path(run):
    """Where nextest writes the JUnit report of this run (nextest_config.config_for junit)."""
    out = os.path.dirname(run.dir)
    return os.path.join(nextest_config.store_dir(out), scenario_profile(run.s), "junit.xml")


def execute(run, session, runner, sim, lib, env, real_args=(), want_junit=False):
    """Runs one scenario twice in the session: with the shim, then without."""
    senv = dict(env, **run.s.env)
    senv[VERSION_LOG_ENV] = run.version_log
    if os.path.exists(run.version_log):
        os.remove(run.version_log)
    for label, preload, truth_path in (("shim", lib, run.truth_path),
                                       ("plain", None, os.path.join(run.dir, "truth-plain.jsonl"))):
        cmd = run.command(runner, sim, truth_path, real_args)
        if want_junit and os.path.exists(junit_path(run)):
            os.remove(junit_path(run))
        try:
            proc, root = session.run(cmd, env=senv, cwd=fixtures.WORKSPACE, preload=preload,
                                     timeout=run.s.timeout, actions=run.s.actions,
                                     actions_after=scenarios.SIGNALS_AFTER, land=run.s.land)
        except subprocess.TimeoutExpired:
            run.problems.append(f"{label} run timed out after {run.s.timeout}s: {cmd}")
            proc, root = None, None
        setattr(run, label, (proc, root))
        if label == "plain":
            run.rerun = lambda n=2, land=None: _plain_again(run, cmd, senv, n, land)
        if want_junit and os.path.exists(junit_path(run)):
            shutil.move(junit_path(run), os.path.join(run.dir, "junit.xml" if label == "shim" else "junit-plain.xml"))
        if proc is not None:
            for stream in ("stdout", "stderr"):
                with open(os.path.join(run.dir, f"{label}.{stream}"), "wb") as f:
                    f.write(getattr(proc, stream))


def _plain_again(run, cmd, senv, n=2, land=None):
    """The command once more without the library, outside the capture (same process group
    handling, same signals, held until they land as `land` says: capture.Session.run);
    None if it timed out.  Its output and JUnit report are kept as plain<n>.*,
    junit-plain<n>.xml."""
    if os.path.exists(junit_path(run)):
        os.remove(junit_path(run))
    try:
        p, _root = capture.Session([], run.dir).run(cmd, env=senv, cwd=fixtures.WORKSPACE,
                                                     timeout=run.s.timeout, actions=run.s.actions,
                                                     actions_after=scenarios.SIGNALS_AFTER, land=land)
    except subprocess.TimeoutExpired:
        return None
    for stream in ("stdout", "stderr"):
        with open(os.path.join(run.dir, f"plain{n}.{stream}"), "wb") as f:
            f.write(getattr(p, stream))
    p.junit = os.path.join(run.dir, f"junit-plain{n}.xml")
    if os.path.exists(junit_path(run)):
        shutil.move(junit_path(run), p.junit)
    return p


def output_differences(run, plain_proc, shim_proc):
    out = []
    if shim_proc.returncode != plain_proc.returncode:
        out.append(f"exit code with shim {shim_proc.returncode}, without {plain_proc.returncode}")
    for stream in ("stdout", "stderr"):
        d = mask.compare(getattr(plain_proc, stream), getattr(shim_proc, stream), run.s.compare)
        if d:
            out.append(f"{stream} differs with the shim ({run.s.compare}): {d}")
    return out


# A signal scenario's outcome depends on where the signal lands (a Ctrl-C in an infinite
# stress run of a 1 ms test: the test killed, the run cancelled between two tests, or the
# test finishing and the run ending with success).  Its output is compared with a run
# without the library that ended the same way — by its exit code, by how many tests its
# `Cancelling due to interrupt` line says were running, and by whether nextest's
# own report has an attempt aborted by the signal — at most this many runs are tried.
# Measured with cargo-nextest 0.9.143 (docs/compatibility.md): about one library-free run
# in ten of `stress-infinite` ends with exit 0, so 6 tries found that outcome only about
# half the time.  More tries compare nothing less: the output must still equal a run that
# ended the same way, and the search stops at the first one that does.  Tries hold their
# signal until it lands where the library's run's did (_landing, capture._signal_landing):
# every other try, or every try for a run cancelled with no test running — that gap
# between two tests is short, and under the capture's cost per event wider in the
# library's run.  Measured on the simulator at 0.9.107 (`stress-infinite`, 20 runs each,
# its units then woken at once, docs/compatibility.md): unheld, 2 of 20 ended `1 test still running` and none with no
# test running; held "exited", 14 and 2; held "between", 9 and 2.  32 tries miss a
# one-in-ten outcome 3 % of the time.
SAME_OUTCOME_TRIES = 32


def _landing(want):
    """Where a library-free run's signal must land to end as `want` did, or None
    (capture._signal_landing): a test killed by it landed in a test; a run cancelled with
    a test counted running but none killed had that test exited and not yet reported
    (nextest 0.9.143 then exits 0, docs/compatibility.md); one cancelled with none running
    landed after the runner reported a test and before it started the next."""
    if want[1]:
        return "in-test"
    if want[2] == 0:
        return "between"
    if want[2] is not None:
        return "exited"
    return None


def rerun_landing(want, scenario_land, k):
    """Where library-free try k (from 0) of a same-outcome search holds its signal: as
    `want` landed on even tries, and on every try for a run cancelled with no test running
    (the shortest gap); otherwise where the scenario says (its `land`, or when due)."""
    land = _landing(want)
    return land if k % 2 == 0 or land == "between" else scenario_land


def _outcome(proc, report):
    """(exit code, a test aborted by SIGINT in nextest's report, tests running when the
    Ctrl-C landed as the `Cancelling due to interrupt` line says: None without that line)."""
    killed = False
    if report and os.path.exists(report):
        with open(report, "rb") as f:
            data = f.read()
        killed = b'type="test abort"' in data and b"SIGINT" in data
    else:
        # no report (the simulator writes none): the status line of a test the signal killed
        killed = re.search(rb"(?m)^\s*(?:\x1b\[[0-9;]*m)*SIGINT(?:\x1b\[[0-9;]*m)* \[",
                           getattr(proc, "stderr", b"") or b"") is not None
    running = None
    m = re.search(rb"Cancelling due to interrupt:?(?:\s*(?:\x1b\[[0-9;]*m)*(\d+))?",
                  getattr(proc, "stderr", b"") or b"")
    if m:
        running = int(m.group(1)) if m.group(1) else 0
    return proc.returncode, killed, running


def same_outcome_again(run, shim_proc, diffs):
    """The output differences left after comparing the library's run with library-free
    runs of the same outcome (none: equal to one of them)."""
    want = _outcome(shim_proc, os.path.join(run.dir, "junit.xml"))
    plain_proc, _ = run.plain
    tried = [_outcome(plain_proc, os.path.join(run.dir, "junit-plain.xml"))]
    first_same = None   # (n, differences) of the first library-free run of the same outcome
    for n in range(2, 2 + SAME_OUTCOME_TRIES):
        again = run.rerun(n, rerun_landing(want, run.s.land, n - 2))
        if again is None:
            continue
        got = _outcome(again, again.junit)
        tried.append(got)
        if got != want:
            continue
        # the same outcome can still differ in where the signal landed within it (the
        # `Cancelling` line before or after the sub-run's summary): the next try may match
        d = output_differences(run, again, shim_proc)
        if not d:
            run.notes.append(f"output equals library-free run {n} of the same outcome (exit "
                             f"{want[0]}, {'a test' if want[1] else 'no test'} killed by the signal)")
            return []
        first_same = first_same or (n, d)
    if first_same:
        return [f"against library-free run {first_same[0]} of the same outcome: {x}" for x in first_same[1]] + \
            [f"no library-free run of the same outcome had equal output; tried {tried}"]
    return diffs + [f"no library-free run ended as the library's did (exit {want[0]}, test killed: "
                    f"{want[1]}); tried {tried}"]


def _split_off(run, plain_proc, shim_proc, split):
    """For an explanation by each run's own report: (what split() took out of the library's
    run's stdout and stderr, the same of the library-free run's, [its JUnit report, the
    library-free run's]) when the exit codes are equal and the rest of the outputs too;
    else None."""
    paths = [os.path.join(run.dir, n) for n in ("junit.xml", "junit-plain.xml")]
    if shim_proc.returncode != plain_proc.returncode or not all(os.path.exists(p) for p in paths):
        return None
    taken = {"shim": [], "plain": []}
    for stream in ("stdout", "stderr"):
        a, ta = split(getattr(shim_proc, stream))
        b, tb = split(getattr(plain_proc, stream))
        if mask.compare(b, a, run.s.compare):
            return None
        taken["shim"] += ta
        taken["plain"] += tb
    try:
        return taken["shim"], taken["plain"], [junit.load(p) for p in paths]
    except (OSError, ValueError, junit.ET.ParseError):
        return None


def slow_explained(run, plain_proc, shim_proc):
    """A note when the two runs' outputs differ only by SLOW lines (and the summary's slow
    count) that each run's own JUnit report accounts for (tests/versions/slowlines.py);
    else None."""
    got = _split_off(run, plain_proc, shim_proc, slowlines.split)
    if got is None:
        return None
    slow = {"shim": got[0], "plain": got[1]}
    reports = got[2]
    if slowlines.explain(slow["shim"], slow["plain"], *reports):
        return None
    differ = sorted({f"{b} {t}" for b, t, _ in set(slow["shim"]) ^ set(slow["plain"])})
    if not differ:
        return None
    return ("output differs from the run without the library only by SLOW lines each run's "
            "own report accounts for: " + ", ".join(differ))[:300]


def leak_explained(run, plain_proc, shim_proc, version, cap, preempted):
    """A note when the two runs' outputs differ only by LEAK lines of passing tests (and the
    summary's leaky count) that each run's own report and, for the library's run, the
    runner threads' measured wait for a CPU account for (tests/versions/leaklines.py);
    else None."""
    got = _split_off(run, plain_proc, shim_proc, leaklines.split)
    if got is None or not set(got[0]) ^ set(got[1]):
        return None
    leaks = {"shim": got[0], "plain": got[1]}
    reports = got[2]
    dones = records.probed(cap, "test-attempt-done")

    def waited(binary, test, report_ns):
        # within nextest's stopwatch of the library's leaked attempt, as its report times
        # it, up to the library's done probe
        ts = [d["_t_ns"] for d in dones
              if d["binary_id"] == binary and d["test_name"] == test and d.get("leaked")]
        if not preempted or not ts:
            return None
        return max(preempt.within_any(preempted, t - report_ns, t) for t in ts)
    problems, notes = leaklines.explain(leaks["shim"], leaks["plain"], *reports,
                                        scenarios.v(version), waited)
    if problems:
        run.notes += ["LEAK lines not explained: " + p for p in problems[:3]]
        return None
    return ("output differs from the run without the library only by LEAK lines nextest's "
            "leak timer explains: " + "; ".join(notes))[:400]


def split_explained(run, plain_proc, shim_proc):
    """A note when the two runs differ only in where nextest's libtest-json-plus reporter
    split a binary's suite, which each run's own stream accounts for
    (tests/versions/suitesplit.py); else None."""
    if "libtest-json-plus" not in run.s.args or shim_proc.returncode != plain_proc.returncode:
        return None
    if mask.compare(plain_proc.stderr, shim_proc.stderr, run.s.compare):
        return None
    if suitesplit.explain(shim_proc.stdout, plain_proc.stdout):
        return None
    return ("stdout differs from the run without the library only by where nextest's libtest "
            "reporter split a suite, as each run's own stream shows: with the library "
            + "; ".join(suitesplit.splits(shim_proc.stdout)) + ", without "
            + "; ".join(suitesplit.splits(plain_proc.stdout)))[:300]


def judge(run, captured, runner, native, expected_version, want_junit=False, preempted=None):
    shim_proc, root = run.shim
    plain_proc, _ = run.plain
    if shim_proc is None or plain_proc is None:
        return
    run.detected, run.detected_from = detected_version(run.version_log)
    want = run.ver or expected_version
    if run.detected != want:
        run.problems.append(f"library detected nextest {run.detected} ({run.detected_from}), "
                            f"the runner is {want}")
    try:
        cap = captured.events("shim", root)
    except bpfparse.CaptureError as e:
        run.problems.append(f"capture: {e}")
        return
    events.save(os.path.join(run.dir, "capture.jsonl"), cap)
    truth = None
    if runner == "sim":
        try:
            truth = events.load(run.truth_path)
        except (OSError, events.EventFormatError) as e:
            run.problems.append(f"truth unreadable: {e}")
            return
    elif native:
        truth = captured.events("native", root)
        events.save(run.truth_path, truth)
    if truth is not None:
        if not any(e["probe"] == "run-start" for e in truth):
            run.problems.append(f"truth has no run-start ({len(truth)} events): the runner did not run "
                                f"(exit {shim_proc.returncode}; see {run.dir}/shim.stderr)")
        # nextest < 0.9.90 exports no slots: the shim derives them (docs/compatibility.md)
        derived = run.ver is not None and scenarios.v(run.ver) < scenarios.v("0.9.90")
        group_max = truthdiff.test_groups(os.path.join(fixtures.WORKSPACE, ".config", "nextest.toml"))
        allowance = t_allowance = None
        if runner != "sim" and preempted:
            def t_allowance(te, ce):
                # the two probes fire on runner threads; a thread waiting for a CPU between
                # the two firings delays the later one
                return preempt.within_any(preempted, te["t_ns"], ce["t_ns"])

            shim_starts = {e["args"][0]: e for e in cap if e["probe"] in truthdiff.START_OF.values()}

            def allowance(te, ts, ce):
                return records.preemption_gap_native(preempted, te, ts, ce, shim_starts.get(ce["args"][0]))
        lines, counts = truthdiff.diff(truth, cap, derived_slots=derived, group_max=group_max,
                                       allowance=allowance, t_allowance=t_allowance)
        run.problems += lines
        run.counts = counts
    else:
        run.problems += ["ORDER " + x for x in truthdiff.check_order(cap, "capture")]
        if not cap:
            run.problems.append("no events captured (and no truth to say whether that is right)")
    if want_junit:
        # nextest's own JUnit report of the shim run: per-test attempts, results, durations
        jp = os.path.join(run.dir, "junit.xml")
        if not os.path.exists(jp):
            if not any(e["probe"] == "test-attempt-done" for e in cap):
                run.junit_note = "no JUnit report, no test attempt"
            else:
                run.problems.append(f"nextest wrote no JUnit report ({junit_path(run)})")
        else:
            try:
                lines, jc = junit.compare(junit.load(jp), cap, preempted, junit.load_run(jp))
            except (OSError, ValueError, junit.ET.ParseError) as e:
                lines, jc = [f"JUnit report unreadable: {e}"], None
            run.problems += lines
            run.junit_counts = jc
        if any(x.startswith("libtest-json") for x in run.s.args):
            # nextest's libtest-json(-plus) stream of the shim run (its stdout)
            try:
                lines, lc = libtest.compare(libtest.parse(shim_proc.stdout), cap, preempted)
            except (ValueError, KeyError) as e:
                lines, lc = [f"libtest stream unreadable: {e}"], None
            run.problems += lines
            run.libtest_counts = lc
        if RECORD_STATE:
            # nextest's run recording of the shim run (0.9.131+), found by the probed run id
            ids = [e for e in cap if e["probe"] == "run-start"]
            rid = json.loads(ids[0]["arg0"])["ok"]["run_id"] if ids else None
            path = recording.find(RECORD_STATE, rid) if rid else None
            if path is None:
                run.problems.append(f"no run recording of run {rid} under {RECORD_STATE}")
            else:
                try:
                    lines, rc = recording.compare(recording.load(path), cap, preempted)
                except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
                    lines, rc = [f"run recording unreadable: {e!r}"], None
                run.problems += lines
                run.recording_counts = rc
    # The shim must not change what the runner does.  Real nextest's output depends on
    # timing (a test crossing its slow-timeout on a loaded machine prints a SLOW line in
    # one run only): when the two runs differ, the command runs once more without the
    # library, and the library's run must equal that one.  A library that changed the
    # output equals neither run without it.
    diffs = output_differences(run, plain_proc, shim_proc)
    if diffs and want_junit:
        why = slow_explained(run, plain_proc, shim_proc)
        if why is not None:
            run.notes.append(why)
            diffs = []
    if diffs and want_junit and runner == "cargo-nextest":
        why = leak_explained(run, plain_proc, shim_proc, want, cap, preempted)
        if why is not None:
            run.notes.append(why)
            diffs = []
    if diffs and runner == "cargo-nextest":
        why = split_explained(run, plain_proc, shim_proc)
        if why is not None:
            run.notes.append(why)
            diffs = []
    # A signal scenario's outcome depends on where the signal lands, under the simulator
    # as under nextest: the library's run is compared with a library-free run that ended
    # the same way.
    if diffs and run.s.actions and getattr(run, "rerun", None) and (want_junit or runner == "sim"):
        diffs = same_outcome_again(run, shim_proc, diffs)
    elif diffs and runner == "cargo-nextest" and getattr(run, "rerun", None):
        again = run.rerun(2, run.s.land)
        if again is not None and not output_differences(run, again, shim_proc):
            run.notes.append("output equals the second run without the library, not the first "
                             "(timing): " + diffs[0][:160])
            diffs = []
    run.problems += diffs


def parser():
    ap = argparse.ArgumentParser(description="e2e scenarios under bpftrace")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sim", default=os.path.join(fixtures.REPO, "build", "sim-target", "release", "nextest-sim"))
    ap.add_argument("--runner", default=os.environ.get("NEXTEST_E2E_RUNNER", "sim"),
                    choices=["sim", "cargo-nextest"])
    ap.add_argument("--out", default=os.path.join(fixtures.REPO, "build", "e2e", "runs"))
    ap.add_argument("--emulate", action="append", help="only these emulated versions ('current' = none)")
    ap.add_argument("--list", action="store_true", help="list the runs and exit")
    ap.add_argument("--nextest", help="real mode: this cargo-nextest binary (its directory goes "
                    "first on PATH so that `cargo nextest` runs it)")
    ap.add_argument("--junit", action="store_true",
                    help="real mode: also compare the probes with nextest's JUnit report of each run")
    ap.add_argument("--batch", type=int, default=1,
                    help="scenarios per bpftrace session (default 1: one session each)")
    ap.add_argument("scenario", nargs="*")
    return ap


class Context:
    """What every run of one invocation shares: the runner, the library copy, the env."""


def prepare(a, plan, log=print):
    """Checks and sets up what the runs in `plan` need; returns (Context, filtered plan) or
    (None, exit code) when nothing can run."""
    ctx = Context()
    native = False
    real_args = []
    expected_version = scenarios.CURRENT
    if a.runner == "cargo-nextest":
        binary = nextest_binary()
        if not binary:
            print("run_e2e: cargo-nextest not installed", file=sys.stderr)
            return None, 2
        native = has_native_probes(binary)
        ver = subprocess.run(["cargo", "nextest", "--version"], stdout=subprocess.PIPE).stdout.decode()
        real = ver.split()[1] if len(ver.split()) > 1 else "0"
        expected_version = real
        # emulation and simulator-only flags do not apply to real nextest
        plan = [(dataclasses.replace(s, args=nextest_config.args_for(scenarios.v(real), s.args)), None)
                for s, v in plan
                if v is None and not s.sim_args and scenarios.v(real) >= scenarios.v(s.min_version)]
        os.makedirs(a.out, exist_ok=True)
        if a.junit and scenarios.v(real) >= recording.FIRST:
            global RECORD_STATE
            RECORD_STATE = os.path.join(a.out, "nextest-state")
        cfg = nextest_config.config_for(scenarios.v(real), a.out, junit=a.junit)
        if cfg:  # this nextest cannot parse the fixtures' full config: give it a reduced copy
            real_args = ["--config-file", cfg]
        log(f"run_e2e: real {ver.strip()} at {binary}; native probes: {'yes' if native else 'no'}")
    ctx.native, ctx.real_args, ctx.expected_version = native, real_args, expected_version
    return ctx, plan


def setup(a, ctx):
    """Builds the fixtures and the private library copy; returns an exit code or None."""
    for path, what in ((a.lib, "library"),) + (((a.sim, "simulator"),) if a.runner == "sim" else ()):
        if not os.path.exists(path):
            print(f"run_e2e: {what} {path} missing (build it first)", file=sys.stderr)
            return 2
    fixtures.build()
    env = dict(os.environ, CARGO_TARGET_DIR=fixtures.TARGET)
    # A private CARGO_HOME (the fixtures have no registry dependencies): any other cargo on
    # the machine holding the shared package-cache lock would put cargo's "Blocking waiting
    # for file lock on package cache" line into one of the two runs of a scenario only.
    env["CARGO_HOME"] = os.path.join(a.out, "cargo-home")
    if RECORD_STATE:
        env = recording.enable(env, a.out)
    for k in ("NEXTEST_PROFILE", "NEXTEST_TEST_THREADS", "NEXTEST_RETRIES", "LD_PRELOAD"):
        env.pop(k, None)

    os.makedirs(a.out, exist_ok=True)
    # Attach to and preload a private copy: a rebuild of the library during a session
    # would otherwise give the runner a new inode that bpftrace is not attached to.
    lib = os.path.join(a.out, os.path.basename(a.lib))
    capture.private_copy(a.lib, lib)
    ctx.env, ctx.lib = env, lib
    ctx.targets = [("shim", lib)] + ([("native", nextest_binary())] if ctx.native else [])
    return None


def run_batch(a, ctx, runs):
    """Runs `runs` (Run objects) in one bpftrace session and judges each (its problems);
    returns how long it took, as said in the report lines.  A capture failure fails every
    run of the batch."""
    started = time.monotonic()
    # real nextest: the same session also measures when the runner's threads waited for a
    # CPU (tests/native/preempt.py), which may excuse a duration (tests/versions/records.py)
    if a.runner == "cargo-nextest":
        session = preempt.Session(ctx.targets, runs[0].dir, ctx.lib)
    else:
        session = capture.Session(ctx.targets, runs[0].dir)
    try:
        session.start()
        for run in runs:
            print(f"running {run.tag} …", flush=True)
            execute(run, session, a.runner, a.sim, ctx.lib, ctx.env, ctx.real_args, a.junit)
        captured = session.stop()
    except bpfparse.CaptureError as e:
        session.abort()
        for run in runs:
            run.problems.append(f"capture failed: {e}")
        captured = None
    except BaseException:
        session.abort()
        raise
    took = f"{time.monotonic() - started:.0f}s"
    if len(runs) > 1:
        took = f"batch of {len(runs)}: " + took
    if session.ready_after is not None:
        took += f", attach {session.ready_after:.0f}s"
    for run in runs:
        if captured is not None:
            judge(run, captured, a.runner, ctx.native, ctx.expected_version, a.junit,
                  getattr(session, "preempted", None))
    return took


def report_lines(run, took):
    """The PASS/FAIL line of a run and, for a failure, its problems (indented)."""
    if run.problems:
        out = [f"FAIL {run.tag}  ({took}, {run.dir}, nextest {getattr(run, 'detected', None)} detected)"]
        out += ["    " + p for p in run.problems[:60]]
        if len(run.problems) > 60:
            out.append(f"    … {len(run.problems) - 60} more")
        return out
    c = getattr(run, "counts", None)
    det = f", nextest {run.detected} detected from {run.detected_from}"
    jc = getattr(run, "junit_counts", None)
    if jc:
        det += (f", JUnit: {jc['tests']} tests, {jc['attempts']} attempts, {jc['exact']} exact, "
                f"{jc['within']} within tolerance")
        if jc.get("preempted"):
            det += f", {jc['preempted']} within tolerance + measured preemption"
    elif getattr(run, "junit_note", None):
        det += ", " + run.junit_note
    lc = getattr(run, "libtest_counts", None)
    if lc:
        det += f", libtest stream: {lc['tests']} tests, {lc['exact']} exact, {lc['within']} within tolerance"
    rc = getattr(run, "recording_counts", None)
    if rc:
        det += (f", recording: {rc['tests']} tests, {rc['attempts']} attempts, {rc['exact']} exact, "
                f"{rc['within']} within tolerance")
        if rc.get("preempted"):
            det += f", {rc['preempted']} within tolerance + measured preemption"
    for n in run.notes:
        det += f"; note: {n}"
    return [f"PASS {run.tag}  ({took}" + (f", {c['matched']} events" if c else "") + det + ")"]


def resolve(a):
    a.sim, a.lib, a.out = os.path.abspath(a.sim), os.path.abspath(a.lib), os.path.abspath(a.out)
    if a.nextest:
        os.environ["PATH"] = os.path.dirname(os.path.abspath(a.nextest)) + os.pathsep + os.environ["PATH"]
        a.runner = "cargo-nextest"
    versions = None if not a.emulate else [None if x == "current" else x for x in a.emulate]
    return scenarios.runs(a.scenario or None, versions)


def main(argv=None):
    """The command line (tests/versions/matrix.py, the arm64 guest and CI's real-nextest job
    run it; `make e2e` runs test_e2e.py under pytest): one line per run and a summary."""
    ap = parser()
    a = ap.parse_args(argv)
    unknown = [n for n in a.scenario if n not in scenarios.BY_NAME]
    if unknown:
        ap.error(f"unknown scenarios {unknown}; known: {sorted(scenarios.BY_NAME)}")
    ctx, plan = prepare(a, resolve(a))
    if ctx is None:
        return plan
    if a.list:
        for s, v in plan:
            print(s.name + (f"@{v}" if v else ""))
        return 0
    err = setup(a, ctx)
    if err is not None:
        return err
    ck = Checks(echo=False)
    step = max(1, a.batch)
    # Several scenarios per bpftrace session (--batch): attaching costs seconds, and events
    # are told apart by the runner's process tree anyway.  --batch 1: a capture failure
    # (lost events) stays with the scenario that caused it.
    for i in range(0, len(plan), step):
        runs = [Run(s, v, a.out) for s, v in plan[i:i + step]]
        took = run_batch(a, ctx, runs)
        for run in runs:
            print("\n".join(report_lines(run, took)), flush=True)
            ck.check(run.tag, not run.problems)
    return ck.exit_code()


if __name__ == "__main__":
    sys.exit(main())
