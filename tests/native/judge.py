"""judge: pairs the library's probe events with real nextest's native ones from the same
run and compares every field.

Owns: the pairing key, the per-field comparison of the native-probe diff, its one time
tolerance, the per-probe table and the time-difference distribution.

Pairing: (probe, arg1, occurrence of that pair) — arg1 is the attempt id (run id, binary,
stress index, test, attempt number), the setup-script id (run id, script, stress index),
the stress sub-run id or `{"ok":"<run id>"}`; the occurrence counts repeats in firing
order (a slow event fires once per period).  An event without a partner on either side is
a failure.

Comparison: arg0 parsed with key order (types must match: 1 is not 1.0, null is not 0),
then its bytes with only the time values masked (escaping, number format), then every
scalar argument.  Time values (events.TIME_FIELDS in arg0, and the scalar
duration/elapsed arguments) are equal or within TIME_TOLERANCE_NS; every other value must
be identical.  The one allowance: an attempt's or script's duration (and an attempt's
time to close its output) may exceed the tolerance by the time the runner's threads were
measured waiting for a CPU between the two measuring points (preempt.py) — that is the
machine's load, not the library's error;
likewise a stress sub-run's elapsed time or duration by the time the thread writing the
reporter's line waited between nextest's probe and that line; each such pair is printed.
"""

import json
import re
import statistics

import preempt
from events import PROBE_ARGS, TIME_FIELDS
from truthdiff import _printable, keyed

# --- the one tolerance ------------------------------------------------------------------
# |shim - native| <= TIME_TOLERANCE_NS for every time value.  Why this size: both sides
# measure in the same process, nextest with Instant at its points (executor.rs), the
# library with CLOCK_MONOTONIC at the libc calls next to them (posix_spawn, the last
# EOF read, wait4).  What remains between them is nextest's own work between the call and
# its Instant::now() plus scheduling of the runner's tokio threads — on the loaded 2-core
# CI machine with bpftrace attached.  Set from the measured distribution (README.md):
# see NATIVE_TOLERANCE in docs/probes.md.
TIME_TOLERANCE_NS = 5_000_000

_TIME_KEYS_RE = "|".join(sorted(TIME_FIELDS))
_TIME_VALUE_RE = re.compile(r'"(' + _TIME_KEYS_RE + r')":(-?[0-9][0-9.eE+-]*)')
TIME_ARGS = {"duration_nanos", "elapsed_nanos"}


class Obj(list):
    """A JSON object as its ordered (key, value) pairs."""


def parse_ordered(text):
    return json.loads(text, object_pairs_hook=Obj)


def mask_times(raw):
    return _TIME_VALUE_RE.sub(lambda m: f'"{m.group(1)}":T', raw)


def _jtype(v):
    if v is None:
        return "null"
    for t, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "string"), (Obj, "object")):
        if isinstance(v, t):
            return name
    return "array"


def _show(v):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, Obj) else json.dumps(dict(v), ensure_ascii=False)
    return s if len(s) <= 160 else s[:150] + f"…({len(s)} chars)"


class Comparison:
    """Differences of one pair; `times` = [(field path, native, shim)] of every time value."""

    def __init__(self):
        self.diffs = []
        self.times = []
        self.over = []    # time values beyond the tolerance: (path, native, shim)

    def value(self, path, key, n, s):
        nt, st = _jtype(n), _jtype(s)
        if key in TIME_FIELDS and nt == "int" and st == "int":
            self.times.append((path, n, s))
            if abs(s - n) > TIME_TOLERANCE_NS:
                self.over.append((path, n, s))
            return
        if nt != st:
            self.diffs.append(f"{path}: type: native {nt} {_show(n)} shim {st} {_show(s)}")
            return
        if nt == "object":
            nk, sk = [k for k, _ in n], [k for k, _ in s]
            if nk != sk:
                self.diffs.append(f"{path}: keys: native {nk} shim {sk}")
            sm = dict(s)
            for k, x in n:
                if k in sm:
                    self.value(f"{path}.{k}", k, x, sm[k])
            return
        if nt == "array":
            if len(n) != len(s):
                self.diffs.append(f"{path}: length native {len(n)} shim {len(s)}")
            for i, (a, b) in enumerate(zip(n, s)):
                self.value(f"{path}[{i}]", None, a, b)
            return
        if n != s:
            self.diffs.append(f"{path}: native {_show(n)} shim {_show(s)}")


def compare(ne, se):
    c = Comparison()
    try:
        nj, sj = parse_ordered(ne["arg0"]), parse_ordered(se["arg0"])
    except json.JSONDecodeError as e:
        c.diffs.append(f"arg0 not JSON: {e}: native {ne['arg0'][:120]!r} shim {se['arg0'][:120]!r}")
    else:
        c.value("arg0", None, nj, sj)
    nm, sm = mask_times(ne["arg0"]), mask_times(se["arg0"])
    if nm != sm:
        i = next((k for k, (a, b) in enumerate(zip(nm, sm)) if a != b), min(len(nm), len(sm)))
        c.diffs.append(f"arg0 bytes differ at {i} (times masked): native …{nm[max(0, i - 40):i + 40]!r}… "
                       f"shim …{sm[max(0, i - 40):i + 40]!r}…")
    for k, ((name, _kind), n, s) in enumerate(zip(PROBE_ARGS[ne["probe"]], ne["args"], se["args"]), 1):
        if name in TIME_ARGS and isinstance(n, int) and isinstance(s, int):
            c.times.append((f"arg{k} {name}", n, s))
            if abs(s - n) > TIME_TOLERANCE_NS:
                c.over.append((f"arg{k} {name}", n, s))
        elif n != s:
            c.diffs.append(f"arg{k} {name}: native {_show(n)} shim {_show(s)}")
    return c


COLUMNS = ("native", "shim", "exact", "tolerance", "different", "missing", "extra")


class Result:
    """The judgement of one scenario: per-probe counts, problem lines, time differences."""

    def __init__(self):
        self.table = {p: dict.fromkeys(COLUMNS, 0) for p in PROBE_ARGS}
        self.problems = []
        self.notes = []     # information lines (preemption-excused differences)
        self.times = []     # (probe, field path, native, shim)
        self.excused = []   # (probe, field path, native, shim, preempted ns)
        self.net = []       # (probe, attempt/script duration's |shim - native| less the CPU wait)

    def ok(self):
        return not self.problems


# The done events whose duration starts at a spawn, and the start event of the same id.
_START_OF = {"test-attempt-done": "test-attempt-start", "setup-script-done": "setup-script-start"}


def line_allowance(key, ne, se, nk, sk, preempted):
    """For the values the library takes at a reporter line (the stress sub-runs' elapsed
    and durations): nextest fires the probe and then writes the line on the same thread,
    so the thread's wait for a CPU between the two firings is the line's lateness; the
    run's start (the Starting line) can be late the same way."""
    if not preempted:
        return 0
    total = preempt.within(preempted, ne["tid"], ne["t_ns"], se["t_ns"])
    rs = [k for k in nk if k[0] == "run-start"]
    if rs and rs[0] in sk:
        total += preempt.within(preempted, nk[rs[0]]["tid"], nk[rs[0]]["t_ns"], sk[rs[0]]["t_ns"])
    return total


def _ok(ev):
    try:
        ok = json.loads(ev["arg0"])["ok"]
    except (ValueError, KeyError, TypeError):
        return None
    return ok if isinstance(ok, dict) else None


def _int(ok, field):
    v = ok.get(field) if ok else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def lib_clock_stop(se):
    """When the library's clock stopped for this done event: its probe's time less its
    `time_to_close_fds_nanos`, which is exactly the time from that clock stop (the
    attempt's last exit or EOF) to its probe (attempts.c, fire_test_done).  Without that
    field (a setup script, a leaked attempt) the probe's time: the library fires in the
    same hook, microseconds later — unless its thread waits for a CPU in between."""
    ttc = _int(_ok(se), "time_to_close_fds_nanos")
    return se["t_ns"] - ttc if ttc is not None else se["t_ns"]


def preemption_allowance(key, ne, se, nk, preempted):
    """Nanoseconds inside the gaps between nextest's and the library's measuring points of
    this duration during which a runner thread waited for a CPU (preempt.py; the union
    over the runner's threads, so two waiting at once count once), or 0.  nextest's
    stopwatch runs from before it builds the command to after the last EOF/reap (for a
    script: after reading its env file); the library's from the first libc call of the
    spawn to the last EOF/reap (the env file's close) it saw — not to its probe: a runner
    thread preempted right after the reap that stopped the library's clock fires the
    library's probe after the wait, and nextest reads its own clock after it too (`many`
    at load 12: 20.2 ms waited between that reap and the library's probe, nextest's probe
    0.25 ms after the library's).  Any runner thread counts, not only the one that
    spawned: on a loaded machine the spawning thread was measured blocked (not runnable)
    in that gap while other runner threads waited for a CPU — a lock or a hand-off held by
    a preempted thread (the `many` scenario at load 17: 29.8 ms from nextest's clock to
    the library's, 20.3 ms of it waiting on the spawning thread, 26.3 ms with the other
    threads' waits)."""
    if not preempted or key[0] not in _START_OF:
        return 0
    dn, ds = _int(_ok(ne), "duration_nanos"), _int(_ok(se), "duration_nanos")
    if dn is None or ds is None:
        return 0
    sw_start, sw_end = ne["t_ns"] - dn, ne["t_ns"]
    lib_end = lib_clock_stop(se)
    lib_start = lib_end - ds
    return (preempt.within_any(preempted, sw_start, lib_start)
            + preempt.within_any(preempted, lib_end, sw_end))


def close_allowance(ne, se, preempted):
    """The same for `time_to_close_fds_nanos`: the library's runs from its clock stop to
    its probe, nextest's over the last round of its leak check, which ends right before
    its probe (`detect_fd_leaks`, nextest-runner/src/runner/executor.rs at
    cargo-nextest-0.9.143); a runner thread's wait for a CPU in one and not in the other
    is the difference."""
    if not preempted:
        return 0
    tn, ts = _int(_ok(ne), "time_to_close_fds_nanos"), _int(_ok(se), "time_to_close_fds_nanos")
    if tn is None or ts is None:
        return 0
    return (preempt.within_any(preempted, ne["t_ns"] - tn, se["t_ns"] - ts)
            + preempt.within_any(preempted, se["t_ns"], ne["t_ns"]))


def judge(native, shim, preempted=None):
    """preempted: preempt.Waits from preempt.Session, or None."""
    r = Result()
    nk, sk = keyed(native), keyed(shim)
    for ev in native:
        r.table[ev["probe"]]["native"] += 1
    for ev in shim:
        r.table[ev["probe"]]["shim"] += 1
    for key, ne in nk.items():
        probe = key[0]
        label = f"{probe} [{_printable(key[1])}] #{key[2]}"
        se = sk.get(key)
        if se is None:
            r.table[probe]["missing"] += 1
            r.problems.append(f"MISSING {label} (native fired it, the library did not)")
            continue
        c = compare(ne, se)
        r.times += [(probe, path, n, s) for path, n, s in c.times]
        allow = preemption_allowance(key, ne, se, nk, preempted)
        close_allow = close_allowance(ne, se, preempted) if probe == "test-attempt-done" else 0
        line_allow = line_allowance(key, ne, se, nk, sk, preempted) if probe.startswith("stress-") else 0
        r.net += [(probe, max(0, abs(s - n) - allow)) for path, n, s in c.times if path == "arg0.ok.duration_nanos"
                  and probe in _START_OF]
        if c.over:
            for path, n, s in c.over:
                off = abs(s - n)
                if line_allow and off <= TIME_TOLERANCE_NS + line_allow:
                    r.excused.append((probe, path, n, s, line_allow))
                    r.notes.append(f"PREEMPTED {label}: {path} off by {(s - n) / 1e6:+.3f} ms; the thread "
                                   f"that writes the reporter's line waited {line_allow / 1e6:.3f} ms for a "
                                   f"CPU between nextest's probe and the line (tolerance "
                                   f"{TIME_TOLERANCE_NS / 1e6:g} ms + that)")
                elif close_allow and path.endswith(".time_to_close_fds_nanos") \
                        and off <= TIME_TOLERANCE_NS + close_allow:
                    r.excused.append((probe, path, n, s, close_allow))
                    r.notes.append(f"PREEMPTED {label}: {path} off by {(s - n) / 1e6:+.3f} ms; the runner's "
                                   f"threads waited {close_allow / 1e6:.3f} ms for a CPU inside one of the "
                                   f"two windows and not the other (tolerance "
                                   f"{TIME_TOLERANCE_NS / 1e6:g} ms + that)")
                elif allow and path.endswith("duration_nanos") and off <= TIME_TOLERANCE_NS + allow:
                    r.excused.append((probe, path, n, s, allow))
                    r.notes.append(f"PREEMPTED {label}: {path} off by {(s - n) / 1e6:+.3f} ms; the runner's "
                                   f"threads waited {allow / 1e6:.3f} ms for a CPU between the two "
                                   f"measuring points (tolerance {TIME_TOLERANCE_NS / 1e6:g} ms + that)")
                else:
                    a = close_allow if path.endswith(".time_to_close_fds_nanos") else allow
                    c.diffs.append(f"{path}: native {n} shim {s} (off by {(s - n) / 1e6:+.3f} ms, tolerance "
                                   f"{TIME_TOLERANCE_NS / 1e6:g} ms" + (f" + {a / 1e6:.3f} ms preempted"
                                                                      if a else "") + ")")
        if c.diffs:
            r.table[probe]["different"] += 1
            r.problems.append(f"DIFFERENT {label}:")
            r.problems += ["    " + d for d in c.diffs]
        elif all(n == s for _p, n, s in c.times):
            r.table[probe]["exact"] += 1
        else:
            r.table[probe]["tolerance"] += 1
    for key in sk:
        if key not in nk:
            r.table[key[0]]["extra"] += 1
            r.problems.append(f"EXTRA {key[0]} [{_printable(key[1])}] #{key[2]} (the library fired it, "
                              "native did not)")
    return r


def format_table(table, indent="    "):
    w = max(len(p) for p in table)
    head = indent + f"{'probe':<{w}}  " + "  ".join(f"{c:>9}" for c in COLUMNS)
    rows = [head]
    for p, row in table.items():
        if row["native"] or row["shim"]:
            rows.append(indent + f"{p:<{w}}  " + "  ".join(f"{row[c]:>9}" for c in COLUMNS))
    return "\n".join(rows)


def percentile(sorted_values, q):
    if not sorted_values:
        return 0
    k = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


def distribution(diffs):
    """(n, median, p99, max) of absolute differences in ns."""
    a = sorted(abs(d) for d in diffs)
    if not a:
        return 0, 0, 0, 0
    return len(a), statistics.median(a), percentile(a, 0.99), a[-1]


def is_duration(path):
    """The duration fields: an attempt's or script's duration_nanos in arg0 (the scalar
    argument repeats it), a run's, and a stress sub-run's."""
    return path.endswith(".duration_nanos") or path.endswith(".sub_run_duration_nanos")
