#!/usr/bin/env python3
"""truthdiff: compares captured probe events against the simulator's (or native nextest's)
truth and reports every missing, extra or different event and every order violation.

Owns: the matching rule, the time tolerance, the per-field comparison, the byte check of
arg0, the firing-time bound, the slot rule and the order rules.  Usage: truthdiff.py
TRUTH.jsonl CAPTURE.jsonl  (exit 0 = equal, 1 = differences, 2 = unreadable input);
truthdiff.py --t-ns-stats RUN_DIR…  (the firing-time offsets of e2e runs).  Both files
follow docs/event-format.md.
"""

import argparse
import bisect
import json
import os
import re
import sys

import events as ev_mod
from events import PROBE_ARGS, TIME_FIELDS, measured_fields

# --- tolerances ------------------------------------------------------------------------
# A time field or time argument agrees when |capture - truth| <= TIME_ABS_NS + TIME_REL * truth.
# Why 20 ms + 2 %: the truth is measured by the runner with Instant at nextest's points;
# the shim measures at the libc calls around them (before posix_spawn, after the last EOF
# read or waitpid) in the same process.  The gap is the runner's own work between those
# points plus scheduling delays, which on a loaded 2-core CI machine under bpftrace reach a
# few milliseconds (the absolute part); the relative part covers tick-granular timers
# (slow-timeout, leak-timeout) whose error grows with the duration.  A real bug (a missing
# leak-timeout of 100-200 ms, a duration taken from the wrong event, pause time not
# subtracted) is larger than this.  null vs a number is never tolerated.
TIME_ABS_NS = 20_000_000
TIME_REL = 0.02

# Firing times (t_ns, CLOCK_MONOTONIC, one clock for both sides) of matched events agree
# within T_NS_TOLERANCE.  The library fires at the runner's libc call that goes with
# nextest's probe point (the spawn's return, the last EOF or reap, the reporter's line), so
# the gap is the runner's own work between the two points plus scheduling.  Measured over
# every e2e scenario (docs/probes.md, "Firing times"; `truthdiff.py --t-ns-stats DIR`):
# median 0.09 ms, p99 1.6-2.9 ms; the largest 21 ms on a moderately loaded 2-core machine
# and 90 ms with its CPUs 8-15x oversubscribed (run-start and slow events, fired at the
# reporter's lines, which the runner prints late under load).  150 ms covers that with
# room, and still fails an event fired in another phase of the run (a slow event a period,
# >= 500 ms here, early or late; a start or done at the wrong attempt or at the summary).
T_NS_TOLERANCE = 150_000_000

_TIME_KEYS_RE = "|".join(sorted(TIME_FIELDS))
# A key in raw JSON: an unescaped quote can only delimit strings, so `"key":` cannot match
# inside a string value (quotes inside strings are always escaped as \").
_TIME_VALUE_RE = re.compile(r'"(' + _TIME_KEYS_RE + r')":(-?[0-9][0-9.eE+-]*)')


# Emulated machines only (make check-aarch64): NX_E2E_GUEST_STALLS names the stall log of
# tests/aarch64/stalls.c, lines "BEGIN END" (CLOCK_MONOTONIC ns) when a sleeping thread of
# the guest ran more than 2 ms late.  Under TCG a virtual CPU is a host thread that the host
# does not always run, and the guest's CPUs run 10-50x slower than the host's: a runnable
# thread waits.  The library's clock starts at the runner's first libc call of a spawn and
# stops at its last (EOF, reap); the runner's stopwatch starts just before and stops after
# its supervising thread has been handed the exit and EOFs.  Waiting inside those two gaps
# only makes the capture's duration shorter: for a done event's duration the capture may be
# shorter than the truth by the tolerance plus the stall time measured inside the two gaps
# (gap_stalls), never longer.  Likewise a firing time may be off the truth's by the stall time
# measured between the two firings, on top of T_NS_TOLERANCE: a stall delays whichever side
# fires later.  docs/compatibility.md (aarch64) has the measurements.
GUEST_STALLS_ENV = "NX_E2E_GUEST_STALLS"


def guest_stalls():
    """[(begin, end)] from the stall log named by NX_E2E_GUEST_STALLS, [] without one.
    Read at each diff(): the log grows while scenarios run."""
    path = os.environ.get(GUEST_STALLS_ENV)
    if not path:
        return []
    with open(path) as f:
        return sorted(tuple(int(x) for x in line.split()) for line in f if len(line.split()) == 2)


def stall_ns(stalls, lo, hi):
    """Stall time inside [lo, hi]; `stalls` sorted, not overlapping (one thread's wake-ups)."""
    total, k = 0, bisect.bisect_left(stalls, (hi,)) - 1
    while k >= 0 and stalls[k][1] > lo:
        b, e = stalls[k]
        total += max(0, min(e, hi) - max(b, lo))
        k -= 1
    return total


# The probes whose duration_nanos runs from a spawn, and the start probe of the same id.
START_OF = {"test-attempt-done": "test-attempt-start", "setup-script-done": "setup-script-start"}
DURATION_FIELDS = ("duration_nanos",)


def time_close(truth, got, slack=0):
    """slack: guest stall time allowed on top of the tolerance, capture shorter only."""
    tol = TIME_ABS_NS + TIME_REL * abs(truth)
    return abs(got - truth) <= tol or (got < truth and truth - got <= tol + slack)


def tolerance_for(truth):
    return TIME_ABS_NS + TIME_REL * abs(truth)


class Obj(list):
    """A JSON object as its ordered list of (key, value) pairs (key order is compared)."""


def parse_ordered(text):
    return json.loads(text, object_pairs_hook=Obj)


def mask_times(raw, probe=None):
    """arg0 bytes with every measured time value replaced by `T` (null stays null); with
    `probe`, the fields that are exact for it (events.EXACT_TIME_FIELDS) stay."""
    measured = TIME_FIELDS if probe is None else measured_fields(probe)
    return _TIME_VALUE_RE.sub(lambda m: f'"{m.group(1)}":T' if m.group(1) in measured else m.group(0), raw)


def _jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Obj):
        return "object"
    return "array"


def _show(v):
    if isinstance(v, Obj):
        return "{" + ",".join(f"{json.dumps(k)}:{_show(x)}" for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_show(x) for x in v) + "]"
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 160 else s[:150] + "…(" + str(len(s)) + " chars)"


def compare_value(path, key, t, c, out, measured=TIME_FIELDS, slack=0, extra_ns=0):
    """Appends to `out` one line per difference between truth `t` and capture `c`.  Keys in
    `measured` are compared within the time tolerance (plus `slack`, guest stall time, when
    the capture is shorter), everything else exactly.  extra_ns: a measured allowance for
    the durations against real nextest (diff's `allowance`)."""
    tt, ct = _jtype(t), _jtype(c)
    if key in measured and tt == "int" and ct == "int":
        extra = extra_ns if key in DURATION_FIELDS else 0
        if not time_close(t, c, slack) and not (extra and abs(c - t) <= tolerance_for(t) + extra):
            stalled = f", guest stalls between the clock points {slack / 1e6:.3f} ms" if slack else ""
            stalled += f" + {extra / 1e6:.3f} ms preempted" if extra else ""
            out.append(f"{path}: truth {t} capture {c} (off by {(c - t) / 1e6:+.3f} ms, "
                       f"tolerance {tolerance_for(t) / 1e6:.3f} ms{stalled})")
        return
    if tt != ct:
        what = "null vs non-null" if "null" in (tt, ct) else "type differs"
        out.append(f"{path}: {what}: truth {tt} {_show(t)} capture {ct} {_show(c)}")
        return
    if tt == "object":
        tkeys, ckeys = [k for k, _ in t], [k for k, _ in c]
        if tkeys != ckeys:
            if sorted(tkeys) == sorted(ckeys):
                out.append(f"{path}: key order differs: truth {tkeys} capture {ckeys}")
            else:
                miss = [k for k in tkeys if k not in ckeys]
                extra = [k for k in ckeys if k not in tkeys]
                out.append(f"{path}: keys differ: missing {miss} extra {extra}")
        cmap = dict(c)
        for k, v in t:
            if k in cmap:
                compare_value(f"{path}.{k}", k, v, cmap[k], out, measured, slack, extra_ns)
        return
    if tt == "array":
        if len(t) != len(c):
            out.append(f"{path}: length truth {len(t)} capture {len(c)}: truth {_show(t)} capture {_show(c)}")
        for i, (a, b) in enumerate(zip(t, c)):
            compare_value(f"{path}[{i}]", None, a, b, out, measured, slack, extra_ns)
        return
    if t != c:
        out.append(f"{path}: truth {_show(t)} capture {_show(c)}")


def _first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return n, a[max(0, n - 30):n + 30], b[max(0, n - 30):n + 30]


# For runners older than 0.9.90 the slots are derived by the shim (smallest free
# slot, docs/compatibility.md note 3).  With derived_slots their values are not compared
# one by one with the truth's; check_slot_rule() replays nextest's rule on the truth's
# start/done order instead, and the capture's values must be what the rule gives, except
# between true ties (below).
SLOT_KEYS = ("global_slot", "group_slot")
_SLOT_VALUE_RE = re.compile(r'"(global_slot|group_slot)":([0-9]+)')

# When is the rule undecidable ("a true tie")?  The shim takes a test's slots when the
# runner's spawn call returns and frees them when the test's last attempt completes (reaped,
# pipes at EOF); it fires test-attempt-start and -done a few microseconds after those
# instants, and nextest fires its own a little later or earlier (its own work between the
# same points).  So the order of a start and another instance's start or done is known
# unless the truth and the capture disagree on it, or the two lie within TIE_NS of each
# other on either side (the shim's take-to-fire gap, stretched by preemption on a loaded
# machine).  Only there may the capture's slots differ from what the rule gives.
TIE_NS = 5_000_000


def mask_slots(raw):
    return _SLOT_VALUE_RE.sub(lambda m: f'"{m.group(1)}":S', raw)


def _unslot(obj):
    """A parsed arg0 (Obj pairs) with integer slot values replaced by 0 (null kept)."""
    for i, (k, v) in enumerate(obj):
        if k == "ok" and isinstance(v, Obj):
            for j, (kk, vv) in enumerate(v):
                if kk in SLOT_KEYS and isinstance(vv, int) and not isinstance(vv, bool):
                    v[j] = (kk, 0)
    return obj


def check_slots(events):
    """Derived slots must follow nextest's rule: attempts that run at the same time
    hold distinct global slots (and distinct group slots within one test group)."""
    out = []
    runs = {}
    for ev in events:
        if ev["probe"] in ("test-attempt-start", "test-attempt-done"):
            runs.setdefault(ev["args"][0], {})[ev["probe"]] = ev
    spans = []
    for aid, pair in runs.items():
        st, dn = pair.get("test-attempt-start"), pair.get("test-attempt-done")
        if not st or not dn:
            continue
        ok = json.loads(st["arg0"])["ok"]
        spans.append((st["t_ns"], dn["t_ns"], aid, ok.get("global_slot"), ok.get("test_group"),
                      ok.get("group_slot")))
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            if a[0] < b[1] and b[0] < a[1]:
                if a[3] == b[3]:
                    out.append(f"SLOTS {a[2]!r} and {b[2]!r} ran at the same time with global_slot {a[3]}")
                if a[4] is not None and a[4] == b[4] and a[5] == b[5]:
                    out.append(f"SLOTS {a[2]!r} and {b[2]!r} ran at the same time in group {a[4]!r} "
                               f"with group_slot {a[5]}")
    return out


def test_groups(config_path):
    """{group name: max-threads} from a nextest config's [test-groups] table."""
    import tomllib
    with open(config_path, "rb") as f:
        groups = tomllib.load(f).get("test-groups", {})
    return {name: g["max-threads"] for name, g in groups.items()
            if isinstance(g.get("max-threads"), int)}


def _instance(ok):
    """A test instance (one test in one stress sub-run): it holds its slots from its first
    attempt's start to its last attempt's done."""
    return (ok.get("binary_id"), ok.get("test_name"), ok.get("stress_current"))


def slot_holds(events):
    """{instance: {"start", "end", "slots", "attempts": [(attempt id, slots)]}} from one
    event list: start = t_ns of its first test-attempt-start, end = t_ns of its last
    test-attempt-done (None: never done), slots = (global_slot, test_group, group_slot)
    of the first attempt."""
    out = {}
    for e in events:
        if e["probe"] not in ("test-attempt-start", "test-attempt-done"):
            continue
        ok = _struct(e)
        if ok is None:
            continue
        h = out.setdefault(_instance(ok), {"start": None, "end": None, "slots": None, "attempts": []})
        if e["probe"] == "test-attempt-start":
            slots = (ok.get("global_slot"), ok.get("test_group"), ok.get("group_slot"))
            if h["start"] is None:
                h["start"], h["slots"] = e["t_ns"], slots
            h["attempts"].append((e["args"][0], slots))
            h["end"] = None
        else:
            h["end"] = e["t_ns"]
    return {k: h for k, h in out.items() if h["start"] is not None}


def _name(inst):
    b, t, s = inst
    return f"{b} {_printable(str(t))}" + (f" (stress {s})" if s is not None else "")


def check_slot_rule(timelines, slots, side, test_threads=None, group_max=None, tie_ns=TIE_NS):
    """Replays nextest's smallest-free rule: when a test instance starts, its global slot is
    the smallest one no running instance holds, and likewise its group slot among the
    running instances of its test group.  `timelines`: a list of {instance: (start, end or
    None)}, one per observer (the truth's, the capture's); `slots`: {instance: (global_slot,
    test_group, group_slot)}, the values judged.  Another instance holds its slot at X's
    start *surely* if every timeline has it started at least tie_ns before X's start and
    not done until tie_ns after it, *possibly* if any timeline comes within tie_ns of that
    (a tie).  X's slot must not be surely held, and every smaller slot must be possibly
    held; with no tie both say: exactly the smallest free slot.  Also global_slot <
    test_threads, group_slot < max-threads of its group, and instances that surely ran at
    the same time hold distinct slots.  Returns problem lines."""
    out = []
    inf = float("inf")
    base = timelines[0]
    keys = sorted((k for k in base if k in slots), key=lambda k: base[k][0])
    tl = [{k: (t[k][0], inf if t[k][1] is None else t[k][1]) for k in keys if k in t}
          for t in timelines]

    def relation(x, y):
        """(surely, possibly): y holds its slot at x's start."""
        surely, possibly = True, False
        for t in tl:
            if x not in t or y not in t:
                continue
            (sx, _ex), (sy, ey) = t[x], t[y]
            if not (sy <= sx - tie_ns and ey >= sx + tie_ns):
                surely = False
            if sy < sx + tie_ns and ey > sx - tie_ns:
                possibly = True
        return surely, possibly

    def together(x, y):
        """x and y surely ran at the same time (beyond the ties at either end), everywhere."""
        for t in tl:
            if x in t and y in t:
                (sx, ex), (sy, ey) = t[x], t[y]
                if not max(sx, sy) + tie_ns < min(ex, ey) - tie_ns:
                    return False
        return True

    for i, k in enumerate(keys):
        gs, grp, grs = slots[k]
        if type(gs) is not int:
            out.append(f"SLOTS {side}: {_name(k)}: global_slot {gs!r} is not an integer")
            continue
        if test_threads is not None and gs >= test_threads:
            out.append(f"SLOTS {side}: {_name(k)}: global_slot {gs} >= test-threads {test_threads}")
        if grp is None:
            if grs is not None:
                out.append(f"SLOTS {side}: {_name(k)}: group_slot {grs} without a test group")
        elif type(grs) is not int:
            out.append(f"SLOTS {side}: {_name(k)}: group_slot {grs!r} in group {grp!r} is not an integer")
            grs = None
        elif group_max is not None:
            if grp not in group_max:
                out.append(f"SLOTS {side}: {_name(k)}: test group {grp!r} is not configured")
            elif grs >= group_max[grp]:
                out.append(f"SLOTS {side}: {_name(k)}: group_slot {grs} >= max-threads {group_max[grp]} "
                           f"of group {grp!r}")
        checks = [("global_slot", 0, gs, "")]
        if grp is not None and grs is not None:
            checks.append(("group_slot", 2, grs, f" of group {grp!r}"))
        for which, idx, mine, grp_txt in checks:
            surely, possibly = {}, {}
            for j, k2 in enumerate(keys):
                s2 = slots[k2]
                if j == i or type(s2[idx]) is not int or (idx == 2 and s2[1] != grp):
                    continue
                sure, maybe = relation(k, k2)
                if sure:
                    surely.setdefault(s2[idx], k2)
                if maybe:
                    possibly.setdefault(s2[idx], k2)
                if j > i and s2[idx] == mine and together(k, k2):
                    out.append(f"SLOTS {side}: {_name(k)} and {_name(k2)} ran at the same time "
                               f"with {which} {mine}{grp_txt}")
            if mine in surely:
                out.append(f"SLOTS {side}: {_name(k)}: {which} {mine}{grp_txt} at its start, but "
                           f"{_name(surely[mine])} held it then")
            free = [x for x in range(mine) if x not in possibly]
            if free:
                out.append(f"SLOTS {side}: {_name(k)}: {which} {mine}{grp_txt} at its start, but "
                           f"slot {free[0]} was free (smallest-free rule; no tie within "
                           f"{tie_ns / 1e6:g} ms)")
    return out


def check_slots_derived(truth, capture, group_max=None, tie_ns=TIE_NS):
    """The capture's derived slots judged by the rule replayed on the truth's start/done
    order (ties: check_slot_rule); every attempt of an instance carries its first
    attempt's slots; the truth's slots within the limits."""
    th, ch = slot_holds(truth), slot_holds(capture)
    rs = next((_struct(e) for e in truth if e["probe"] == "run-start"), None) or {}
    threads = rs.get("test_threads") if type(rs.get("test_threads")) is int else None
    timelines = [{k: (h["start"], h["end"]) for k, h in hs.items()} for hs in (th, ch)]
    out = check_slot_rule(timelines, {k: h["slots"] for k, h in ch.items()}, "capture",
                          threads, group_max, tie_ns)
    for k, h in ch.items():
        for aid, s in h["attempts"]:
            if s != h["slots"]:
                out.append(f"SLOTS capture: {_printable(aid)}: slots {s} differ from the first "
                           f"attempt's {h['slots']} (a test keeps its slots across retries)")
    out += check_slot_limits(th, "truth", threads, group_max)
    return out


def check_slot_limits(holds, side, test_threads, group_max):
    """global_slot < test-threads and group_slot < the group's max-threads, for every attempt."""
    out = []
    for k, h in holds.items():
        for aid, (gs, grp, grs) in h["attempts"]:
            if test_threads is not None and isinstance(gs, int) and gs >= test_threads:
                out.append(f"SLOTS {side}: {_printable(aid)}: global_slot {gs} >= test-threads {test_threads}")
            if grp is not None and group_max is not None and isinstance(grs, int):
                if grp not in group_max:
                    out.append(f"SLOTS {side}: {_printable(aid)}: test group {grp!r} is not configured")
                elif grs >= group_max[grp]:
                    out.append(f"SLOTS {side}: {_printable(aid)}: group_slot {grs} >= max-threads "
                               f"{group_max[grp]} of group {grp!r}")
    return out


def _done_struct(ev):
    try:
        st = json.loads(ev["arg0"]).get("ok")
    except (json.JSONDecodeError, AttributeError):
        return None
    return st if isinstance(st, dict) and type(st.get("duration_nanos")) is int else None


def gap_stalls(stalls, te, ce):
    """Stall time between the two sides' clock starts plus between their stops, for a pair
    of done events.  Truth: the runner fires right after reading its stopwatch, so it
    stopped at t_ns and started a duration before.  Capture: the library stopped at
    t_ns - time_to_close_fds_nanos (its firing instant for a leak) and started a duration
    before that."""
    t, c = _done_struct(te), _done_struct(ce)
    if t is None or c is None:
        return 0
    t_end = te["t_ns"]
    c_end = ce["t_ns"] - (c.get("time_to_close_fds_nanos") or 0)
    t_start, c_start = t_end - t["duration_nanos"], c_end - c["duration_nanos"]
    return (stall_ns(stalls, min(t_start, c_start), max(t_start, c_start)) +
            stall_ns(stalls, min(t_end, c_end), max(t_end, c_end)))


def compare_event(te, ce, derived_slots=False, fires_by=None, stalls=(), extra_ns=0, extra_t_ns=0):
    """Lines describing every difference between two matched events.  fires_by: a t_ns the
    library may fire this event as late as (plus T_NS_TOLERANCE) — run-start, which
    before nextest 0.9.68 waits for the first child's NEXTEST_RUN_ID (docs/probes.md).
    stalls: the guest stall log (guest_stalls), for a done event's times.  extra_ns,
    extra_t_ns: measured allowances for the durations and the firing time (diff)."""
    out = []
    measured = measured_fields(te["probe"])
    slack = 0
    if stalls and te["probe"] in ("test-attempt-done", "setup-script-done"):
        slack = gap_stalls(stalls, te, ce)
    # arg0: structure and values ...
    try:
        tj = parse_ordered(te["arg0"])
    except json.JSONDecodeError as e:
        tj = None
        out.append(f"arg0: truth is not JSON ({e})")
    try:
        cj = parse_ordered(ce["arg0"])
    except json.JSONDecodeError as e:
        cj = None
        out.append(f"arg0: capture is not JSON ({e}): {_show(ce['arg0'])}")
    if tj is not None and cj is not None:
        if derived_slots:
            tj, cj = _unslot(tj), _unslot(cj)
        compare_value("arg0", None, tj, cj, out, measured, slack, extra_ns)
    # ... and bytes (serialisation, escaping, number format), measured time values masked.
    tm, cm = mask_times(te["arg0"], te["probe"]), mask_times(ce["arg0"], te["probe"])
    if derived_slots:
        tm, cm = mask_slots(tm), mask_slots(cm)
    if tm != cm:
        n, ta, ca = _first_difference(tm, cm)
        out.append(f"arg0 bytes differ at offset {n} (times masked): truth …{ta!r}… capture …{ca!r}…")
    # scalar arguments
    for i, ((name, _kind), t, c) in enumerate(zip(PROBE_ARGS[te["probe"]], te["args"], ce["args"]), 1):
        compare_value(f"arg{i} {name}", name, t, c, out, measured, slack, extra_ns)
    dt = ce["t_ns"] - te["t_ns"]
    late_ok = fires_by is not None and 0 <= dt and ce["t_ns"] - fires_by <= T_NS_TOLERANCE
    if abs(dt) > T_NS_TOLERANCE + extra_t_ns and not late_ok:
        more = f" + {extra_t_ns / 1e6:.1f} ms preempted" if extra_t_ns else ""
        out.append(f"t_ns: capture fired {dt / 1e6:+.1f} ms from the truth (limit "
                   f"{T_NS_TOLERANCE / 1e6:.0f} ms{more})")
    return out


def keyed(events):
    """{(probe, arg1, occurrence): event}, occurrences counted in list order."""
    seen, out = {}, {}
    for ev in events:
        base = (ev["probe"], ev["args"][0])
        n = seen.get(base, 0)
        seen[base] = n + 1
        out[base + (n,)] = ev
    return out


def _printable(s):
    """s with control characters shown as \\xNN so a report line stays one line."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in s)


def _label(key):
    probe, arg1, occ = key
    return f"{probe} [{_printable(arg1)}] #{occ}"


def _struct(ev):
    """The struct inside arg0's {"ok": …}, or None if arg0 is not such JSON."""
    try:
        top = json.loads(ev["arg0"])
    except json.JSONDecodeError:
        return None
    return top.get("ok") if isinstance(top, dict) and isinstance(top.get("ok"), dict) else None


def _stress_current(ev):
    s = _struct(ev)
    return s.get("stress_current") if s is not None else "?"


def check_order(events, side):
    """Order rules on one event list (list order = firing order).  Returns problem lines."""
    probs = []
    pos = {id(e): i for i, e in enumerate(events)}
    for probe, where in (("run-start", "first"), ("run-done", "last")):
        hits = [e for e in events if e["probe"] == probe]
        if len(hits) > 1:
            probs.append(f"{side}: {len(hits)} {probe} events (at most one)")
        if hits:
            i = pos[id(hits[0])]
            if (where == "first" and i != 0) or (where == "last" and i != len(events) - 1):
                probs.append(f"{side}: {probe} is event {i} of {len(events)}, must be {where}")
    # attempt and setup-script chains: start < slow... < done
    chains = {}
    for e in events:
        fam = "test-attempt" if e["probe"].startswith("test-attempt-") else \
              "setup-script" if e["probe"].startswith("setup-script-") else None
        if fam:
            chains.setdefault((fam, e["args"][0]), []).append(e["probe"].rsplit("-", 1)[1])
    for (fam, ident), seq in chains.items():
        s = " ".join(seq)
        ok = re.fullmatch(r"(start( slow)*( done)?|done)", s) if fam == "setup-script" else \
            re.fullmatch(r"start( slow)*( done)?", s)
        if not ok:
            probs.append(f"{side}: {fam} [{_printable(ident)}] fired in order '{s}', expected 'start slow… done'")
    # stress sub-runs bracket their attempts and scripts
    subs = {}
    for e in events:
        if e["probe"] in ("stress-sub-run-start", "stress-sub-run-done"):
            subs.setdefault(e["args"][1], {})[e["probe"]] = pos[id(e)]
    for cur, ends in subs.items():
        lo = ends.get("stress-sub-run-start", -1)
        hi = ends.get("stress-sub-run-done", len(events))
        if lo > hi:
            probs.append(f"{side}: stress sub-run {cur}: done before start")
        for e in events:
            if e["probe"].startswith(("test-attempt-", "setup-script-")) and _stress_current(e) == cur:
                if not lo < pos[id(e)] < hi:
                    probs.append(f"{side}: {e['probe']} [{e['args'][0]}] of stress sub-run {cur} "
                                 f"outside its sub-run (event {pos[id(e)]}, sub-run {lo}..{hi})")
    # setup scripts before the tests they gate (same stress index)
    last_script = {}
    for e in events:
        if e["probe"] == "setup-script-done":
            last_script[_stress_current(e)] = pos[id(e)]
    for e in events:
        if e["probe"] == "test-attempt-start":
            sc = last_script.get(_stress_current(e))
            if sc is not None and pos[id(e)] < sc:
                probs.append(f"{side}: test-attempt-start [{e['args'][0]}] before a setup script finished")
    return probs


def diff(truth, capture, derived_slots=False, group_max=None, allowance=None, t_allowance=None):
    """Returns (report lines, counts).  No lines means equal.  derived_slots: the runner
    exports no slots (nextest < 0.9.90), so the capture's are judged by the rule
    (check_slots_derived) instead of compared value by value.  group_max: {test group:
    max-threads} for the slot limits.  allowance(truth done, truth start or None, captured
    done) -> ns: how much an attempt's or script's duration may be off the truth beyond the
    tolerance (real nextest on a loaded machine: the measured time its threads waited for a
    CPU in the gaps between the two clocks, tests/versions/records.py).
    t_allowance(truth event, captured event) -> ns: likewise for the firing times."""
    tk, ck = keyed(truth), keyed(capture)
    stalls = guest_stalls()
    first_child = min((e["t_ns"] for e in truth if e["probe"] in ("test-attempt-start", "setup-script-start")),
                      default=None)
    lines = []
    counts = {"matched": 0, "missing": 0, "extra": 0, "different": 0, "order": 0}
    for key, te in tk.items():
        ce = ck.get(key)
        if ce is None:
            counts["missing"] += 1
            lines.append(f"MISSING {_label(key)} (in the truth, not captured)")
            continue
        counts["matched"] += 1
        extra = 0
        if allowance and key[0] in START_OF:
            extra = allowance(te, tk.get((START_OF[key[0]],) + key[1:]), ce)
        extra_t = t_allowance(te, ce) if t_allowance else 0
        if stalls:
            # the guest's stall time between the two firings delays the later one
            extra_t += stall_ns(stalls, min(te["t_ns"], ce["t_ns"]), max(te["t_ns"], ce["t_ns"]))
        d = compare_event(te, ce, derived_slots, first_child if key[0] == "run-start" else None,
                          stalls, extra, extra_t)
        if d:
            counts["different"] += 1
            lines.append(f"DIFFERENT {_label(key)}:")
            lines.extend("    " + x for x in d)
    for key in ck:
        if key not in tk:
            counts["extra"] += 1
            lines.append(f"EXTRA {_label(key)} (captured, not in the truth)")
    rs = next((_struct(e) for e in truth if e["probe"] == "run-start"), None) or {}
    threads = rs.get("test_threads") if type(rs.get("test_threads")) is int else None
    if derived_slots:
        sl = check_slots_derived(truth, capture, group_max)
    else:
        sl = []
        for side, evs in (("truth", truth), ("capture", capture)):
            sl += check_slot_limits(slot_holds(evs), side, threads, group_max)
    counts["different"] += len(sl)
    lines.extend(sl)
    for side, evs in (("truth", truth), ("capture", capture)):
        o = check_order(evs, side)
        counts["order"] += len(o)
        lines.extend("ORDER " + x for x in o)
    return lines, counts


def summary(counts):
    return ("truthdiff: {matched} matched, {missing} missing, {extra} extra, "
            "{different} different, {order} order violations").format(**counts)


def t_ns_offsets(truth, capture):
    """[(probe, t_ns of capture - t_ns of truth)] of the matched events."""
    ck = keyed(capture)
    return [(key[0], ck[key]["t_ns"] - te["t_ns"]) for key, te in keyed(truth).items() if key in ck]


def t_ns_stats(run_dirs):
    """Lines: per probe, the distribution of |t_capture - t_truth| over the runs' matched
    events (each dir holds truth.jsonl and capture.jsonl; dirs without them are skipped)."""
    by = {}
    for d in run_dirs:
        try:
            truth = ev_mod.load(f"{d}/truth.jsonl")
            capture = ev_mod.load(f"{d}/capture.jsonl")
        except (OSError, ev_mod.EventFormatError):
            continue
        for probe, dt in t_ns_offsets(truth, capture):
            by.setdefault(probe, []).append(abs(dt))
            by.setdefault("(all)", []).append(abs(dt))

    def q(v, p):
        return v[min(len(v) - 1, int(p * len(v)))] / 1e6

    lines = [f"{'probe':22} {'events':>7} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}  "
             f"|t_capture - t_truth| in ms, {len(run_dirs)} run dirs"]
    for probe in sorted(by):
        v = sorted(by[probe])
        lines.append(f"{probe:22} {len(v):7} {q(v, .5):8.3f} {q(v, .9):8.3f} {q(v, .99):8.3f} {v[-1] / 1e6:8.3f}")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", nargs="?")
    ap.add_argument("capture", nargs="?")
    ap.add_argument("--t-ns-stats", nargs="+", metavar="RUN_DIR",
                    help="print the firing-time offsets of the runs' matched events and exit")
    a = ap.parse_args(argv)
    if a.t_ns_stats:
        for line in t_ns_stats(a.t_ns_stats):
            print(line)
        return 0
    if not a.capture:
        ap.error("TRUTH and CAPTURE are required")
    try:
        truth, capture = ev_mod.load(a.truth), ev_mod.load(a.capture)
    except (OSError, ev_mod.EventFormatError) as e:
        print(f"truthdiff: {e}", file=sys.stderr)
        return 2
    lines, counts = diff(truth, capture)
    for line in lines:
        print(line)
    print(summary(counts))
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
