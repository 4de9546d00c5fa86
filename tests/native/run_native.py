"""run_native: the differential test against real nextest's own (native) USDT probes.

Owns: running every e2e scenario and the PTY scenarios through real `cargo nextest run`
with the library preloaded, inside one bpftrace session attached to both the library and
the runner binary; judging (judge.py) every shim event against its native partner; the
output-unchanged check (exit code, masked stdout/stderr, for PTY runs the rendered
terminal); the per-scenario tables and the run-wide time-difference distribution.

Driven by test_native_diff.py (one pytest test per scenario); this module has no command
line of its own.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import bpfparse  # noqa: E402
import capture  # noqa: E402
import events  # noqa: E402
import finder  # noqa: E402
import fixtures  # noqa: E402
import judge  # noqa: E402
import mask  # noqa: E402
import preempt  # noqa: E402
import ptyrun  # noqa: E402
import run_e2e  # noqa: E402  (the same-outcome rule for signal scenarios)
import scenarios  # noqa: E402
from scenarios import Scenario, J1  # noqa: E402

# The Context of the pytest session that ran scenarios (its end-of-session report).
SESSION = None

# PTY scenarios: (scenario, terminal columns).  Run as a user runs nextest in a terminal:
# stdin/stdout/stderr on the PTY, TERM set, CI unset (nextest hides the progress bar
# under CI), so nextest draws colour and its progress bar; 24 and 16 columns wrap the
# status lines.
PTY = [
    (Scenario("pty-120", ["--run-ignored", "all", "basic::", "slow_2500ms", "fail_exit_3"],
              compare="sorted-lines"), 120),
    (Scenario("pty-80-retries", J1 + ["-P", "retries", "--run-ignored", "only", "retry_"]), 80),
    (Scenario("pty-60-scripts", J1 + ["-P", "scripts-slow", "basic::pass_quick"]), 60),
    # Two setup scripts through the bar (the second one's id must not be the first's).
    # env-inherit does not capture its output: it writes straight to the terminal while
    # nextest redraws the bar, and what the screen keeps of either depends on timing, for
    # any runner — so only the probes are compared here ("none"); pty-60-scripts compares
    # the screen of a captured script.
    (Scenario("pty-100-two-scripts", J1 + ["-P", "scripts", "--run-ignored", "only", "scripts_"],
              compare="none"), 100),
    (Scenario("pty-40-terminate", J1 + ["-P", "slow", "--run-ignored", "only", "hang_"]), 40),
    (Scenario("pty-24-stress", J1 + ["--stress-count", "2", "basic::pass_quick", "basic::pass_prints"]), 24),
    # hostile names hold control bytes (`\x01`) that the terminal draws in no column but
    # indicatif counts in one: where the bar was at that moment decides the layout of
    # the lines after, run by run.  So this one compares the rendered text without
    # its whitespace ("text"); the others compare the rendered screen exactly.
    (Scenario("pty-16-slow", J1 + ["--run-ignored", "all", "slow_2500ms", "hostile"],
              compare="text"), 16),
]
PTY_BY_NAME = {s.name: (s, cols) for s, cols in PTY}

# Scenarios of this area only (real nextest, not the simulator).  scripts-env-big: a setup
# script writes a 6 MB NEXTEST_ENV file, which nextest reads line by line through tokio's
# blocking pool before it stops the script's stopwatch (parse_env_file,
# nextest-runner/src/runner/script_helpers.rs at cargo-nextest-0.9.143) — tens of
# milliseconds that the library's setup-script-done duration must include (it stops its
# clock where the runner closes that file).
ENV_BIG_CONFIG = os.path.join(HERE, "env-big", "nextest.toml")
NATIVE_ONLY = [
    Scenario("scripts-env-big", J1 + ["--config-file", ENV_BIG_CONFIG, "-P", "env-big",
                                      "--run-ignored", "only", "scripts_"], min_version="0.9.98"),
]


def plan(names, runner_version):
    """[(scenario, columns or None)]: every e2e scenario that real nextest can run (no
    simulator-only flags, feature present in this version), then the PTY scenarios."""
    out = []
    for s in scenarios.SCENARIOS:
        if s.sim_args or scenarios.v(runner_version) < scenarios.v(s.min_version):
            continue
        out.append((s, None))
    out += [(s, None) for s in NATIVE_ONLY if scenarios.v(runner_version) >= scenarios.v(s.min_version)]
    out += PTY
    if names:
        known = {s.name: (s, c) for s, c in out}
        out = [known[n] for n in names]
    return out


class Run:
    def __init__(self, s, cols, outdir):
        self.s, self.cols = s, cols
        self.dir = os.path.join(outdir, s.name)
        os.makedirs(self.dir, exist_ok=True)
        self.problems = []
        self.result = None
        self.shim = self.plain = None  # (returncode, stdout, stderr, root)
        self.compare = s.compare
        self.notes = []
        self.took = 0.0     # seconds for both runs (with and without the library)


# A scenario's signals land this long after the runner printed `Starting` (the e2e harness
# counts from the command's start; with cargo and the test listing in between, a loaded
# machine would otherwise signal a runner that has not started its run yet).
STARTED = re.compile(rb"^ *Starting ", re.M)


def run_signalled(cmd, env, cwd, preload, timeout, actions, land=None):
    """capture.Session.run for a scenario with signals: the same process group and
    outputs, but the `actions` delays count from the runner's `Starting` line (from the
    command's start if that never comes within `timeout`).  `land`: hold each signal
    until it lands with a test alive, or none and where in the runner's progress
    (capture._signal_landing)."""
    run_env = capture.preload_env(env, preload) if preload else dict(env)
    t0 = time.monotonic_ns()
    chunks = {"out": [], "err": []}
    err_bytes = [0]     # stderr read so far: the runner's progress for capture._signal_landing
    started = threading.Event()

    def drain(stream, key):
        buf = b""
        while True:
            data = os.read(stream.fileno(), 65536)
            if not data:
                return
            chunks[key].append(data)
            if key == "err":
                err_bytes[0] += len(data)
            if key == "err" and not started.is_set():
                buf = (buf + data)[-4096:]
                if STARTED.search(buf):
                    started.set()

    with subprocess.Popen(cmd, env=run_env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as p:
        readers = [threading.Thread(target=drain, args=(p.stdout, "out"), daemon=True),
                   threading.Thread(target=drain, args=(p.stderr, "err"), daemon=True)]
        for t in readers:
            t.start()
        deadline = time.monotonic() + timeout
        while not started.wait(0.05) and p.poll() is None and time.monotonic() < deadline:
            pass
        base = time.monotonic()
        for delay, name in sorted(actions):
            while p.poll() is None and time.monotonic() < base + delay:
                time.sleep(min(0.01, max(0.0, base + delay - time.monotonic())))
            if p.poll() is None:
                if land:
                    capture._signal_landing(p, getattr(signal, name), land, lambda: err_bytes[0])
                else:
                    capture._signal_group(p, getattr(signal, name))
        try:
            p.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            capture._signal_group(p, signal.SIGKILL)
            p.wait()
            raise
        finally:
            for t in readers:
                t.join(timeout=10)
    return (subprocess.CompletedProcess(cmd, p.returncode, b"".join(chunks["out"]), b"".join(chunks["err"])),
            bpfparse.Root(p.pid, t0, time.monotonic_ns()))


def execute(run, session, lib, env, runner):
    cmd = ["cargo", "nextest", "run", *run.s.args]
    senv = dict(env, **run.s.env)
    # Signals land at fixed times after the start; on a loaded machine the runner may be
    # at another point of the test when they do, so the reporter lines of the two runs
    # can come in another order.  Compare them as sorted lines (counts still equal).
    if run.s.actions and run.s.compare == "exact":
        run.compare = "sorted-lines"
    if run.cols:
        senv.pop("CI", None)
        senv["TERM"] = "xterm-256color"
        senv["COLUMNS"] = str(run.cols)
    for label, preload in (("shim", lib), ("plain", None)):
        try:
            if run.cols:
                e = capture.preload_env(senv, lib) if preload else senv
                rc, out, root = ptyrun.run(cmd, run.cols, env=e, cwd=fixtures.WORKSPACE,
                                           timeout=run.s.timeout)
                res = (rc, out, b"", root)
            else:
                if run.s.actions:
                    proc, root = run_signalled(cmd, senv, fixtures.WORKSPACE, preload, run.s.timeout,
                                               run.s.actions, run.s.land)
                else:
                    proc, root = session.run(cmd, env=senv, cwd=fixtures.WORKSPACE, preload=preload,
                                             timeout=run.s.timeout)
                res = (proc.returncode, proc.stdout, proc.stderr, root)
        except subprocess.TimeoutExpired:
            run.problems.append(f"{label} run timed out after {run.s.timeout}s: {cmd}")
            return
        setattr(run, label, res)
        for name, data in (("stdout", res[1]), ("stderr", res[2])):
            if data or not run.cols:
                with open(os.path.join(run.dir, f"{label}.{'pty' if run.cols else name}"), "wb") as f:
                    f.write(data)


def rerun_plain(run, env, land=None):
    """The command once more without the library, outside the capture: (rc, stdout, stderr)
    or (rc, pty bytes, b""); `land` as for run_signalled."""
    cmd = ["cargo", "nextest", "run", *run.s.args]
    senv = dict(env, **run.s.env)
    try:
        if run.cols:
            senv.pop("CI", None)
            senv.update(TERM="xterm-256color", COLUMNS=str(run.cols))
            rc, out, _root = ptyrun.run(cmd, run.cols, env=senv, cwd=fixtures.WORKSPACE, timeout=run.s.timeout)
            return rc, out, b""
        # as in the capture: same process group, same signals at the same points
        if run.s.actions:
            p, _root = run_signalled(cmd, senv, fixtures.WORKSPACE, None, run.s.timeout, run.s.actions,
                                     land)
        else:
            p, _root = capture.Session([], run.dir).run(cmd, env=senv, cwd=fixtures.WORKSPACE,
                                                         timeout=run.s.timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None


def output_differences(run, plain):
    """Problem lines comparing the library run's output with `plain` (rc, out, err)."""
    out = []
    if run.shim[0] != plain[0]:
        out.append(f"exit code with the library {run.shim[0]}, without {plain[0]}")
    if run.cols:
        a = ptyrun.render(pty_mask(plain[1]), run.cols)
        b = ptyrun.render(pty_mask(run.shim[1]), run.cols)
        for label, text in (("plain", a), ("shim", b)):
            with open(os.path.join(run.dir, f"{label}.rendered"), "wb") as f:
                f.write(text)
        if run.s.compare == "text":
            a, b = (BAR_REMNANT.sub(b"", re.sub(rb"\s", b"", x)) for x in (a, b))
        d = mask.compare(a, b, "exact" if run.s.compare == "text" else run.s.compare)
        if d:
            out.append(f"terminal differs with the library ({run.s.compare}, rendered at {run.cols} columns): {d}")
    else:
        for i, stream in ((1, "stdout"), (2, "stderr")):
            d = mask.compare(extra_mask(plain[i]), extra_mask(run.shim[i]), run.compare)
            if d:
                out.append(f"{stream} differs with the library ({run.compare}): {d}")
    return out


def check(run, captured, preempted, env):
    if run.shim is None or run.plain is None:
        return
    root = run.shim[3]
    try:
        native = captured.events("native", root)
        shim = captured.events("shim", root)
    except bpfparse.CaptureError as e:
        run.problems.append(f"capture: {e}")
        return
    # Only this run's events: the process tree is built from fork edges by pid, and on a
    # busy machine a pid of this run that exited can be reused by another run of the same
    # nextest binary.  Every probe's arg1 carries the run id the runner printed (on a
    # terminal too).  Without such a line the run id is the one in the library's own
    # events (only this run loads the private library copy; a library that fired nothing
    # leaves the native events unfiltered, and they fail as MISSING).
    rid = run_id_of(run.shim[2] if not run.cols else run.shim[1])
    mine = {rid} if rid else {m for e in shim for m in UUID.findall(e["args"][0])}
    if mine:
        native = [e for e in native if any(r in e["args"][0] for r in mine)]
        shim = [e for e in shim if any(r in e["args"][0] for r in mine)]
    events.save(os.path.join(run.dir, "native.jsonl"), native)
    events.save(os.path.join(run.dir, "shim.jsonl"), shim)
    if not any(e["probe"] == "run-start" for e in native):
        run.problems.append(f"native probes fired no run-start ({len(native)} events): the runner did "
                            f"not run or is not the attached binary (exit {run.shim[0]})")
    run.result = judge.judge(native, shim, preempted)
    run.problems += run.result.problems
    # The library must not change what the runner does.  Two runs of the same command
    # can differ where timing decides (a test crossing its slow-timeout on a loaded
    # machine): when the output differs, the command runs once more without the library,
    # and the library's output must equal one of the two library-free runs — a library
    # that changed the output would equal neither.
    if run.s.compare == "none":
        run.notes.append("output not compared (see the scenario table); exit code "
                         + ("equal" if run.shim[0] == run.plain[0] else "DIFFERENT"))
        if run.shim[0] != run.plain[0]:
            run.problems.append(f"exit code with the library {run.shim[0]}, without {run.plain[0]}")
        return
    diffs = output_differences(run, run.plain[:3])
    if diffs:
        same = same_outcome_rerun(run, env) if run.s.actions and not run.cols else None
        again = None if same else rerun_plain(run, env, run.s.land)
        if same:
            run.notes.append(same + ": " + diffs[0][:200])
        elif again is not None and not output_differences(run, again):
            run.notes.append("output differed from the first run without the library, equals the "
                             "second (timing): " + diffs[0][:200])
        elif interrupt_explained(run):
            run.notes.append("output differed from both runs without the library only after the "
                             "runner's `Cancelling due to interrupt` line (where the signal landed in "
                             "a test, timing): " + diffs[0][:200])
        elif slow_lines_explained(run, native):
            run.notes.append("output differed from both runs without the library only in SLOW lines, "
                             "each one a test-attempt-slow that nextest itself fired in this run "
                             "(timing): " + diffs[0][:200])
        elif leak_lines_explained(run, native):
            run.notes.append("output differed from both runs without the library only in LEAK lines "
                             "(and SLOW lines as above), each one an attempt that nextest's own "
                             "test-attempt-done reported leaked in this run (timing): " + diffs[0][:200])
        else:
            run.problems += diffs


# A signal scenario's library-free reruns: where its signal lands (in a test, or between
# two) decides what nextest prints and its exit code, with or without the library; the
# library's output must equal a library-free run that ended the same way.  Odd tries (and
# every try for a run cancelled with no test running, the shortest gap) hold the signal
# until it lands as the library's run's did (run_e2e._landing, the same rule as the e2e
# harness's); the others send it when due.  A first full run at load below 1
# had `stress-infinite` end with exit 0 (the Ctrl-C between two sub-runs) with the
# library and exit 100 (a test killed) in both library-free runs.
SAME_OUTCOME_TRIES = 8


def same_outcome_rerun(run, env):
    """A note when a library-free rerun that ended as the library's run did has equal
    output (see SAME_OUTCOME_TRIES), else None."""
    want = run_e2e._outcome(types.SimpleNamespace(returncode=run.shim[0], stderr=run.shim[2]), None)
    for n in range(1, SAME_OUTCOME_TRIES + 1):
        again = rerun_plain(run, env, run_e2e.rerun_landing(want, run.s.land, n - 1))
        if again is None:
            continue
        got = run_e2e._outcome(types.SimpleNamespace(returncode=again[0], stderr=again[2]), None)
        if got == want and not output_differences(run, again):
            return (f"output differed from the first run without the library, equals library-free "
                    f"rerun {n} of the same outcome (exit {want[0]}, "
                    f"{'a test' if want[1] else 'no test'} killed by the signal; where it lands is timing)")
    return None


INTERRUPTED = re.compile(rb"^ *Cancelling due to interrupt[^\n]*", re.M)


def interrupt_explained(run):
    """A scenario that sends SIGINT: what the runner prints after it announced the
    interrupt depends on where the signal landed (inside a test: a SIGINT status line and
    a failed iteration; between two: neither), in runs with or without the library alike.
    True when both runs announced it, the exit codes are equal and everything before that
    line is equal."""
    if run.cols or not run.s.actions or run.shim[0] != run.plain[0]:
        return False
    cut = []
    for err in (run.plain[2], run.shim[2]):
        m = INTERRUPTED.search(err)
        if not m:
            return False
        cut.append(err[:m.start()])
    saved = run.shim
    run.shim = (saved[0], saved[1], cut[1], saved[3])
    try:
        return not output_differences(run, (run.plain[0], run.plain[1], cut[0]))
    finally:
        run.shim = saved


# A reporter line saying a test or script crossed its slow-timeout.
SLOW_LINE = re.compile(rb"^ *(?:TRY [0-9]+ |SETUP )?SLOW \[[^\n]*\n?", re.M)
SLOW_COUNT = re.compile(rb" \([0-9]+ slow\)")


def slow_lines_explained(run, native, shim_err=None):
    """On a loaded machine a test can cross its slow-timeout in one run and not in the
    other.  True when the outputs are equal once the SLOW lines are taken out of both, and
    the run with the library has no more SLOW lines than nextest's own probes fired
    slow events in that same run (so nextest, not the library, decided them).  `shim_err`:
    the library run's stderr to use instead of its own (leak_lines_explained)."""
    if run.cols:
        return False
    shim_err = run.shim[2] if shim_err is None else shim_err
    shim_slow = len(SLOW_LINE.findall(extra_mask(shim_err)))
    fired = sum(e["probe"] in ("test-attempt-slow", "setup-script-slow") for e in native)
    if shim_slow > fired:
        return False
    def cut_slow(err):   # the lines, and their count in the summary's `(N slow)`
        return SLOW_COUNT.sub(b"", SLOW_LINE.sub(b"", err))
    return outputs_equal(run, cut_slow(run.plain[2]), cut_slow(shim_err))


def outputs_equal(run, plain_err, shim_err):
    """No output difference once both runs' stderr is replaced by the given bytes."""
    saved = run.shim
    run.shim = (saved[0], saved[1], shim_err, saved[3])
    try:
        return not output_differences(run, (run.plain[0], run.plain[1], plain_err))
    finally:
        run.shim = saved


# A test's status line for a pass whose output stayed open past the leak timeout
# (nextest-runner/src/reporter/displayer/imp.rs at cargo-nextest-0.9.143: `LEAK`, and
# `SLOW + LEAK` on a final status line; `{:>12}`), and the summary's `N leaky`.
LEAK_LINE = re.compile(rb"^( *(?:TRY [0-9]+ )?)(SLOW \+ LEAK|LEAK)( \[[^\]\n]*\] )([^\n]*)$", re.M)
LEAKY_COUNT = re.compile(rb"\b([0-9]+) leaky\b")
SUMMARY = re.compile(rb"^ *Summary \[", re.M)


def leak_lines_explained(run, native):
    """On a loaded machine a test's output can stay open past the leak timeout in one
    run and not in the other (a trivial test took 0.8 s at load 25).  True when the
    outputs are equal once each LEAK line of the library's run that the run without the
    library does not have, and that nextest's own test-attempt-done confirms (`leaked:
    true`, result `leak`, for that binary and test in this same run), is read as the
    line nextest prints without the leak (PASS; SLOW for SLOW + LEAK) and the summary's
    leaky count as one less for each — alone or together with the SLOW lines above."""
    if run.cols:
        return False
    leaked = set()
    for e in native:
        ok = judge._ok(e) if e["probe"] == "test-attempt-done" else None
        if ok and ok.get("leaked") is True and ok.get("result") == "leak":
            leaked.add(f"{ok.get('binary_id')} {ok.get('test_name')}".encode())
    if not leaked:
        return False
    plain_leaks = {m.group(4) for m in LEAK_LINE.finditer(run.plain[2])}
    err = run.shim[2]
    summary = SUMMARY.search(err)
    unleaked = 0

    def unleak(m):
        nonlocal unleaked
        test = m.group(4)
        if test in plain_leaks or not any(test.endswith(t) for t in leaked):
            return m.group(0)
        if not summary or m.start() < summary.start():   # not a final status line again
            unleaked += 1
        width = len(m.group(1)) + len(m.group(2))
        status = m.group(1).strip() + (b" " if m.group(1).strip() else b"") + \
            (b"SLOW" if m.group(2).startswith(b"SLOW") else b"PASS")
        return status.rjust(width) + m.group(3) + test

    err = LEAK_LINE.sub(unleak, err)
    if not unleaked:
        return False
    if summary:
        head, tail = err[:summary.start()], err[summary.start():]
        def fewer(m):
            return str(int(m.group(1)) - unleaked).encode() + b" leaky"
        tail = LEAKY_COUNT.sub(fewer, tail, count=1)
        tail = re.sub(rb"(?:, | \()0 leaky\)", lambda m: b")" if m.group(0).startswith(b",") else b"", tail)
        err = head + tail
    return outputs_equal(run, run.plain[2], err) or slow_lines_explained(run, native, err)


# PTY runs: the masks of mask.py, but each masked token keeps its length (digits and a
# UUID's hex become '#'), because indicatif pads every line to the terminal width, so a
# shorter token would move everything after it.  Plus cargo's `Finished … in 0.02s` line
# with cargo's colours (mask.py's pattern has none).
PTY_EXTRA_MASKS = [
    re.compile(rb"Finished(?:\x1b\[[0-9;]*m)* `[^`\n]*` profile \[[^\]\n]*\] target\(s\) in "
               rb"(?:[0-9]+m )?[0-9]+(?:\.[0-9]+)?s"),
]


# Noise that mask.py does not know, for every run: cargo waiting for a lock that another
# cargo on the machine holds, and the seconds of a stress run's `elapsed so far`.
NOISE_LINES = re.compile(rb"^ *Blocking waiting for file lock on [^\n]*\n", re.M)
ELAPSED_SO_FAR = re.compile(rb"\([0-9]{2}:[0-9]{2}:[0-9]{2} elapsed so far")


# "text" comparison (whitespace removed): what is left of the progress bar's prefix
# (`Running [ 00:00:03]`, redrawn on a timer) where a reporter line overwrote only part of
# it — in runs with or without the library alike.
BAR_REMNANT = re.compile(rb"(?:Running|Cancelling)\[[#:]*\]?")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RUN_ID = re.compile(rb"Nextest run ID ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) ")
SGR = re.compile(rb"\x1b\[[0-9;]*m")
PANIC_TID = re.compile(rb"\((#+)\)( panicked at [^ \x1b\n]*(?:\x1b\[[0-9;]*m)*)( *)")


def run_id_of(data):
    """The run id of nextest's `Nextest run ID <uuid> with nextest profile` line, or None.
    Its colours are taken out first: in a recorded run (cargo-nextest 0.9.131 and later)
    the id's shortest unique prefix has a colour of its own, so the UUID is cut in two
    by escape sequences (`reporter/displayer/imp.rs`, `run_id_unique_prefix`)."""
    m = RUN_ID.search(SGR.sub(b"", data))
    return m.group(1).decode() if m else None


def extra_mask(data):
    """PTY_EXTRA_MASKS (cargo's coloured `Finished` line under `--color always`) and the
    noise above, keeping lengths."""
    data = NOISE_LINES.sub(b"", data)
    data = ELAPSED_SO_FAR.sub(lambda m: re.sub(rb"[0-9]", b"#", m.group(0)), data)
    for rx in PTY_EXTRA_MASKS:
        data = rx.sub(lambda m: re.sub(rb"\x1b\[[0-9;]*m|[0-9]", lambda d: d.group(0)
                                       if d.group(0).startswith(b"\x1b") else b"#", m.group(0)), data)
    return data


def _varying(repl):
    """The characters of a mask.py mask's token that vary from run to run, by what the mask
    puts in its place: a UUID's hex digits (plain, or cut by the colours of its
    highlighted prefix), the temp file's letters and digits, else the decimal digits."""
    if repl == b"<UUID>" or repl is getattr(mask, "_split_uuid", None):
        return rb"[0-9a-f]"
    if repl == b"/tmp/nextest-env<TMP>":
        return rb"[A-Za-z0-9_]"
    return rb"[0-9]"


def _same_length(repl):
    """The PTY form of one mask.py mask: every varying character becomes `#`, so the token
    keeps its width (indicatif pads each line to the terminal's width, so a shorter token
    would move everything after it).  Colour sequences inside the token stay — except in a
    run id with a highlighted unique prefix, where they go after it: where they sit there
    depends on the prefix's length, that is on the other recorded runs."""
    varying = re.compile(rb"\x1b\[[0-9;]*m|" + _varying(repl))
    split = repl is getattr(mask, "_split_uuid", None)

    def sub(m):
        text = m.group(0)
        if callable(repl) and repl(m) == text:
            return text             # the mask itself leaves it (no UUID after all)
        if split:
            return re.sub(rb"[0-9a-f]", b"#", SGR.sub(b"", text)) + b"".join(SGR.findall(text))
        return varying.sub(lambda d: d.group(0) if d.group(0).startswith(b"\x1b") else b"#", text)
    return sub


def pty_mask(data):
    data = extra_mask(data)
    for rx, repl in mask.MASKS:
        data = rx.sub(_same_length(repl), data)
    # A panic's thread id has as many digits as it has: `(####)` becomes `(#)` and the
    # difference moves into the spaces indicatif put after that line, so the rows stay.
    return PANIC_TID.sub(lambda m: b"(#)" + m.group(2) + b" " * (len(m.group(1)) - 1) + m.group(3), data)


def ms(ns):
    return f"{ns / 1e6:.3f} ms"


def distribution_lines(all_times):
    """all_times: [(scenario, probe, path, native, shim)]."""
    out = []
    dur = [(s - n, sc, p, path) for sc, p, path, n, s in all_times if judge.is_duration(path)]
    other = [(s - n, sc, p, path) for sc, p, path, n, s in all_times if not judge.is_duration(path)]
    for what, rows in (("duration", dur), ("other time", other)):
        n, med, p99, mx = judge.distribution([d for d, *_ in rows])
        out.append(f"{what} differences |shim - native| over {n} values: median {ms(med)}, "
                   f"p99 {ms(p99)}, max {ms(mx)} (tolerance {ms(judge.TIME_TOLERANCE_NS)})")
        by_field = {}
        for d, sc, p, path in rows:
            by_field.setdefault(f"{p} {path}", []).append(d)
        for k, ds in sorted(by_field.items()):
            n, med, p99, mx = judge.distribution(ds)
            signed = sorted(ds)
            out.append(f"    {k}: n={n} median {ms(med)} p99 {ms(p99)} max {ms(mx)} "
                       f"(signed median {ms(signed[len(signed) // 2])})")
        worst = sorted(rows, key=lambda r: -abs(r[0]))[:5]
        for d, sc, p, path in worst:
            out.append(f"    worst: {ms(d)} {sc} {p} {path}")
    return out


# --- driving the scenarios (test_native_diff.py) ---------------------------------------

class Context:
    """What every batch of one pytest session shares: the runner, the environment of the
    commands, the private library copy and the bpftrace targets; and every judged run
    (for the summary)."""

    def __init__(self, runner, lib, out, batch):
        self.runner, self.out, self.batch = runner, out, batch
        self.t_main = time.monotonic()
        self.t_fixtures = 0.0
        self.t_checks = 0.0
        self.env = dict(os.environ, CARGO_TARGET_DIR=fixtures.TARGET)
        # `cargo nextest` runs the first cargo-nextest on PATH: the chosen one
        self.env["PATH"] = runner.bin_dir() + os.pathsep + self.env.get("PATH", "")
        for k in ("NEXTEST_PROFILE", "NEXTEST_TEST_THREADS", "NEXTEST_RETRIES", "LD_PRELOAD"):
            self.env.pop(k, None)
        os.makedirs(out, exist_ok=True)
        self.lib = os.path.join(out, os.path.basename(lib))
        self.source_lib = lib
        self.targets = [("shim", self.lib), ("native", runner.path)]
        self.done = []      # (Run, batch timing text), in run order
        self.ready = False

    def setup(self):
        """The fixtures built and the private library copy made (once)."""
        if not self.ready:
            t = time.monotonic()
            fixtures.build()
            self.t_fixtures = time.monotonic() - t
            # attach to a private copy: a rebuild cannot detach it
            capture.private_copy(self.source_lib, self.lib)
            self.ready = True


def find_runner():
    """(runner, None), or (None, why there is none)."""
    runner, why = finder.find()
    return (runner, None) if runner is not None else (None, why)


def run_batch(ctx, runs):
    """Runs `runs` inside one bpftrace session, then judges each (run.problems,
    run.result).  Returns the batch's timing text."""
    ctx.setup()
    started = time.monotonic()
    session = preempt.Session(ctx.targets, runs[0].dir, ctx.lib)
    captured = None
    stop_took = 0.0
    try:
        session.start()
        for run in runs:
            print(f"running {run.s.name} …", flush=True)
            t = time.monotonic()
            execute(run, session, ctx.lib, ctx.env, ctx.runner)
            run.took = time.monotonic() - t
        t = time.monotonic()
        captured = session.stop()
        stop_took = time.monotonic() - t
    except bpfparse.CaptureError as e:
        session.abort()
        for run in runs:
            run.problems.append(f"capture failed: {e}")
    except BaseException:
        session.abort()
        raise
    took = (f"batch of {len(runs)}: {time.monotonic() - started:.0f}s, attach {session.ready_after or 0:.0f}s, "
            f"detach {stop_took if captured is not None else 0:.0f}s")
    for run in runs:
        if captured is not None:
            t = time.monotonic()
            check(run, captured, session.preempted, ctx.env)
            ctx.t_checks += time.monotonic() - t
        ctx.done.append((run, took))
    return took


def report_lines(run, took):
    """A scenario's verdict line, its per-probe table, its notes and problems."""
    out = [f"{'FAIL' if run.problems else 'PASS'} {run.s.name}" + (f" (pty {run.cols} columns)" if run.cols else "")
           + f"  ({run.took:.1f}s; {took}, {run.dir})"]
    if run.result:
        out.append(judge.format_table(run.result.table))
    out += ["    " + note for note in run.notes + (run.result.notes if run.result else [])]
    out += ["    " + p for p in run.problems[:60]]
    if len(run.problems) > 60:
        out.append(f"    … {len(run.problems) - 60} more")
    return out


def summary_lines(ctx):
    """Every scenario's report, the table of all of them, the time-difference
    distributions, the durations net of the measured CPU wait, timing and the runner."""
    out = []
    all_times, all_excused, all_net = [], [], []
    total = {p: dict.fromkeys(judge.COLUMNS, 0) for p in events.PROBES}
    for run, took in ctx.done:
        out += report_lines(run, took)
        if run.result:
            all_times += [(run.s.name, p, path, n, s) for p, path, n, s in run.result.times]
            all_excused += [(run.s.name,) + x for x in run.result.excused]
            all_net += run.result.net
            for p, row in run.result.table.items():
                for c in judge.COLUMNS:
                    total[p][c] += row[c]
    out.append(f"all {len(ctx.done)} scenarios:")
    out.append(judge.format_table(total))
    out += distribution_lines(all_times)
    n, med, p99, mx = judge.distribution([d for _p, d in all_net])
    out.append(f"attempt and script durations less the runner threads' measured CPU wait, over {n} values: "
               f"median {ms(med)}, p99 {ms(p99)}, max {ms(mx)}")
    for probe in sorted({p for p, _d in all_net}):
        n, med, p99, mx = judge.distribution([d for p, d in all_net if p == probe])
        out.append(f"    {probe}: n={n} median {ms(med)} p99 {ms(p99)} max {ms(mx)}")
    if all_excused:
        worst = max(all_excused, key=lambda x: abs(x[4] - x[3]))
        out.append(f"{len(all_excused)} duration(s) beyond the tolerance by no more than the runner threads' "
                   f"measured preemption; largest: {worst[0]} {worst[1]} off by {(worst[4] - worst[3]) / 1e6:+.3f} ms "
                   f"with {worst[5] / 1e6:.3f} ms preempted")
    out.append(f"time: {time.monotonic() - ctx.t_main:.0f}s (fixtures {ctx.t_fixtures:.0f}s, judging and "
               f"reruns without the library {ctx.t_checks:.0f}s); load average {load_average()}")
    out.append(f"runner: {ctx.runner}")
    return out


def load_average():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
