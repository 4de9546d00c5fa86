#!/usr/bin/env python3
"""truthdiff: compares captured probe events against the simulator's (or native nextest's)
truth and reports every missing, extra or different event and every order violation.

Owns: the matching rule, the time tolerance, the per-field comparison, the byte check of
arg0 and the order rules.  Usage: truthdiff.py TRUTH.jsonl CAPTURE.jsonl  (exit 0 = equal,
1 = differences, 2 = unreadable input).  Both files follow docs/event-format.md.
"""

import argparse
import json
import re
import sys

import events as ev_mod
from events import PROBE_ARGS, TIME_FIELDS

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

# Firing times (t_ns, CLOCK_MONOTONIC) of matched events are checked loosely: the shim may
# fire a little after nextest would (it learns of some events from the runner's writes), so
# only gross misplacement (an event fired at the wrong phase of the run) is caught.
T_NS_TOLERANCE = 250_000_000

_TIME_KEYS_RE = "|".join(sorted(TIME_FIELDS))
# A key in raw JSON: an unescaped quote can only delimit strings, so `"key":` cannot match
# inside a string value (quotes inside strings are always escaped as \").
_TIME_VALUE_RE = re.compile(r'"(' + _TIME_KEYS_RE + r')":(-?[0-9][0-9.eE+-]*)')


def time_close(truth, got):
    return abs(got - truth) <= TIME_ABS_NS + TIME_REL * abs(truth)


def tolerance_for(truth):
    return TIME_ABS_NS + TIME_REL * abs(truth)


class Obj(list):
    """A JSON object as its ordered list of (key, value) pairs (key order is compared)."""


def parse_ordered(text):
    return json.loads(text, object_pairs_hook=Obj)


def mask_times(raw):
    """arg0 bytes with every time value replaced by `T` (null stays null)."""
    return _TIME_VALUE_RE.sub(lambda m: f'"{m.group(1)}":T', raw)


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


def compare_value(path, key, t, c, out):
    """Appends to `out` one line per difference between truth `t` and capture `c`."""
    tt, ct = _jtype(t), _jtype(c)
    if key in TIME_FIELDS and tt == "int" and ct == "int":
        if not time_close(t, c):
            out.append(f"{path}: truth {t} capture {c} (off by {(c - t) / 1e6:+.3f} ms, "
                       f"tolerance {tolerance_for(t) / 1e6:.3f} ms)")
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
                compare_value(f"{path}.{k}", k, v, cmap[k], out)
        return
    if tt == "array":
        if len(t) != len(c):
            out.append(f"{path}: length truth {len(t)} capture {len(c)}: truth {_show(t)} capture {_show(c)}")
        for i, (a, b) in enumerate(zip(t, c)):
            compare_value(f"{path}[{i}]", None, a, b, out)
        return
    if t != c:
        out.append(f"{path}: truth {_show(t)} capture {_show(c)}")


def _first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return n, a[max(0, n - 30):n + 30], b[max(0, n - 30):n + 30]


# For runners older than 0.9.90 the slots are derived by the shim (smallest free
# slot, docs/compatibility.md note 3): tests that start at the same instant may get
# them in the other order.  With derived_slots the values are not compared one by
# one; check_slots() checks the rule they must follow instead.
SLOT_KEYS = ("global_slot", "group_slot")
_SLOT_VALUE_RE = re.compile(r'"(global_slot|group_slot)":([0-9]+)')


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


def compare_event(te, ce, derived_slots=False):
    """Lines describing every difference between two matched events."""
    out = []
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
        compare_value("arg0", None, tj, cj, out)
    # ... and bytes (serialisation, escaping, number format), time values masked.
    tm, cm = mask_times(te["arg0"]), mask_times(ce["arg0"])
    if derived_slots:
        tm, cm = mask_slots(tm), mask_slots(cm)
    if tm != cm:
        n, ta, ca = _first_difference(tm, cm)
        out.append(f"arg0 bytes differ at offset {n} (times masked): truth …{ta!r}… capture …{ca!r}…")
    # scalar arguments
    for i, ((name, _kind), t, c) in enumerate(zip(PROBE_ARGS[te["probe"]], te["args"], ce["args"]), 1):
        compare_value(f"arg{i} {name}", name, t, c, out)
    dt = ce["t_ns"] - te["t_ns"]
    if abs(dt) > T_NS_TOLERANCE:
        out.append(f"t_ns: capture fired {dt / 1e6:+.1f} ms from the truth (loose limit "
                   f"{T_NS_TOLERANCE / 1e6:.0f} ms)")
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


def diff(truth, capture, derived_slots=False):
    """Returns (report lines, counts).  No lines means equal."""
    tk, ck = keyed(truth), keyed(capture)
    lines = []
    counts = {"matched": 0, "missing": 0, "extra": 0, "different": 0, "order": 0}
    for key, te in tk.items():
        ce = ck.get(key)
        if ce is None:
            counts["missing"] += 1
            lines.append(f"MISSING {_label(key)} (in the truth, not captured)")
            continue
        counts["matched"] += 1
        d = compare_event(te, ce, derived_slots)
        if d:
            counts["different"] += 1
            lines.append(f"DIFFERENT {_label(key)}:")
            lines.extend("    " + x for x in d)
    for key in ck:
        if key not in tk:
            counts["extra"] += 1
            lines.append(f"EXTRA {_label(key)} (captured, not in the truth)")
    if derived_slots:
        sl = check_slots(capture)
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth")
    ap.add_argument("capture")
    a = ap.parse_args(argv)
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
