"""Event lines (docs/event-format.md): the probe table and loading/validating JSON Lines.

Owns: the ten probes' argument lists (names and C types, probe-encoding.md §1.5), the
time-field names, and reading an event file.  Used by the diff, the capture and the tests.
"""

import json
import os
import sys

# probe name -> list of (argument name, kind) for arg1.. ; kind: "str", "u32", "u64".
# arg0 (the JSON struct) is always a string and is not listed here.  The table is the one
# the shipped capture tool reads args with (tracer-scripts/nextest_capture.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tracer-scripts"))
from nextest_capture import PROBE_ARGS  # noqa: E402

PROBES = tuple(PROBE_ARGS)

# Fields (in arg0) and scalar arguments that are measured times: compared within the
# tolerance of truthdiff.py, every other value exactly.
TIME_FIELDS = frozenset({
    "duration_nanos", "elapsed_nanos", "time_to_close_fds_nanos",
    "sub_run_duration_nanos", "paused_nanos",
})

# Time-named fields that docs/probes.md calls exact for one probe: the slow events'
# elapsed_nanos is k x period (nextest passes the period times the count, not a
# measurement; the library reads it from the reporter's line or the configuration).
# stress-sub-run's elapsed_nanos stays measured.
EXACT_TIME_FIELDS = {
    "test-attempt-slow": frozenset({"elapsed_nanos"}),
    "setup-script-slow": frozenset({"elapsed_nanos"}),
}


def measured_fields(probe):
    """The time fields of `probe` compared within the tolerance (the rest exactly)."""
    return TIME_FIELDS - EXACT_TIME_FIELDS.get(probe, frozenset())

EVENT_KEYS = ["probe", "t_ns", "tid", "arg0", "args"]


class EventFormatError(Exception):
    pass


def validate(ev, where="event"):
    """Raises EventFormatError unless `ev` follows docs/event-format.md."""
    if not isinstance(ev, dict):
        raise EventFormatError(f"{where}: not a JSON object")
    missing = [k for k in EVENT_KEYS if k not in ev]
    if missing:
        raise EventFormatError(f"{where}: missing keys {missing}")
    probe = ev["probe"]
    if probe not in PROBE_ARGS:
        raise EventFormatError(f"{where}: unknown probe {probe!r}")
    for k in ("t_ns", "tid"):
        if type(ev[k]) is not int or ev[k] < 0:
            raise EventFormatError(f"{where}: {k} must be a non-negative integer")
    if not isinstance(ev["arg0"], str):
        raise EventFormatError(f"{where}: arg0 must be a string")
    spec = PROBE_ARGS[probe]
    args = ev["args"]
    if not isinstance(args, list) or len(args) != len(spec):
        raise EventFormatError(f"{where}: {probe} needs {len(spec)} args, got {args!r}")
    for (name, kind), value in zip(spec, args):
        if kind == "str":
            if not isinstance(value, str):
                raise EventFormatError(f"{where}: {probe} arg {name} must be a string")
        else:
            limit = 2**32 if kind == "u32" else 2**64
            if type(value) is not int or not 0 <= value < limit:
                raise EventFormatError(f"{where}: {probe} arg {name} must be a {kind}, got {value!r}")


def load(path):
    """Reads a JSON Lines event file; every line is validated.  Blank lines are errors."""
    events = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{path}:{n}"
            try:
                ev = json.loads(line)
            except json.JSONDecodeError as e:
                raise EventFormatError(f"{where}: not JSON: {e}") from None
            validate(ev, where)
            events.append(ev)
    return events


def dump_line(ev):
    """One event as a JSON line in the documented key order.  Strings that carry
    undecodable bytes (surrogate escapes) fall back to ASCII-escaped JSON."""
    obj = {k: ev[k] for k in EVENT_KEYS}
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj)
    return line + "\n"


def save(path, events):
    with open(path, "w", encoding="utf-8") as f:
        for ev in events:
            f.write(dump_line(ev))
