"""Parses the output of bpfscript's program into event lines (docs/event-format.md).

Owns: reassembling each firing from its H and D lines (keyed by tid and per-thread
sequence), cutting strings at the first NUL, selecting one command's process tree (F
lines), and failing loudly on anything incomplete: lost events, a missing line, an
unterminated string, a NULL pointer, an unknown line, a missing END marker.
"""

import bpfscript
from events import PROBE_ARGS


class CaptureError(Exception):
    pass


class Root(int):
    """A run's root pid and the CLOCK_MONOTONIC window it ran in.  Several runs can
    share one bpftrace session and pids get reused, so a run's events are those of
    its process tree that fired inside its window (bpftrace's nsecs is the same
    clock as time.monotonic_ns)."""

    def __new__(cls, pid, t0=None, t1=None):
        r = super().__new__(cls, pid)
        r.t0, r.t1 = t0, t1
        return r


class Captured:
    """Parsed output: events (each with an extra "pid" and "label") and fork edges."""

    def __init__(self, firings, children):
        self.firings = firings      # [(t_ns, tid, seq, label, pid, event)] sorted
        self.children = children    # parent pid -> [child pid]

    def tree(self, root):
        seen, todo = {root}, [root]
        while todo:
            for c in self.children.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    def events(self, label, root=None):
        """Events of `label`, in firing order; only root's process tree if root is given.
        Raises CaptureError if one of them could not be read whole."""
        pids = self.tree(root) if root is not None else None
        t0, t1 = getattr(root, "t0", None), getattr(root, "t1", None)
        out = []
        for (t, _tid, _seq, lab, pid, ev) in self.firings:
            if t0 is not None and not t0 <= t <= t1:
                continue
            if lab == label and (pids is None or pid in pids):
                if isinstance(ev, CaptureError):
                    raise ev
                out.append(ev)
        return out

    def pids(self, label):
        return sorted({pid for (*_x, lab, pid, _ev) in self.firings if lab == label})


def _parse_lines(text, require_end):
    heads, data, children, seen_end = {}, {}, {}, False
    for n, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("Attaching ") or line == "READY":
            continue
        if line.startswith("Lost "):
            raise CaptureError(f"bpftrace: {line} (perf buffer overflow; raise BPFTRACE_PERF_RB_PAGES)")
        if line == "END":
            seen_end = True
            continue
        parts = line.split(" ")
        try:
            if parts[0] == "F":
                children.setdefault(int(parts[1]), []).append(int(parts[2]))
            elif parts[0] == "H":
                label, probe = parts[1], parts[2]
                if probe not in PROBE_ARGS:
                    raise CaptureError(f"line {n}: unknown probe {probe!r}")
                pid, tid, seq, t_ns = (int(x) for x in parts[3:7])
                ptr_n = len(bpfscript.string_args(probe))
                ptrs = [int(x, 16) for x in parts[7:7 + ptr_n]]
                ints = [int(x) for x in parts[7 + ptr_n:]]
                if len(ptrs) != ptr_n or len(ints) != len(bpfscript.int_args(probe)):
                    raise CaptureError(f"line {n}: wrong field count for {probe}")
                if (tid, seq) in heads:
                    raise CaptureError(f"line {n}: firing key {tid}/{seq} seen twice")
                heads[(tid, seq)] = (label, probe, pid, t_ns, ptrs, ints)
            elif parts[0] == "D":
                tid, seq, arg, idx = (int(x) for x in parts[1:5])
                chunk = bytes(int(x, 16) for x in parts[5:] if x)
                if len(chunk) != bpfscript.LINE_BYTES:
                    raise CaptureError(f"line {n}: {len(chunk)} bytes, expected {bpfscript.LINE_BYTES}")
                data[(tid, seq, arg, idx)] = chunk
            else:
                raise CaptureError(f"line {n}: unexpected output {line[:200]!r}")
        except (ValueError, IndexError):
            raise CaptureError(f"line {n}: malformed {line[:200]!r}") from None
    if require_end and not seen_end:
        raise CaptureError("bpftrace output has no END marker (not stopped cleanly?)")
    return heads, data, children


def _string(data, tid, seq, probe, arg, ptr):
    where = f"{probe} (tid {tid}, firing {seq}) arg{arg}"
    if ptr == 0:
        raise CaptureError(f"{where}: NULL pointer")
    lines = bpfscript.lines_for(arg)
    skip = ptr & (bpfscript.CHUNK - 1)
    raw = b""
    for idx in range(lines):
        chunk = data.pop((tid, seq, arg, idx), None)
        if chunk is None:
            raise CaptureError(f"{where}: data line {idx} missing (lost output?)")
        raw += chunk
        end = raw.find(b"\0", skip)
        if end >= 0:  # the program stops after the line holding the NUL
            if (tid, seq, arg, idx + 1) in data:
                raise CaptureError(f"{where}: data after the terminating NUL")
            break
    else:
        raise CaptureError(f"{where}: string not terminated within {len(raw) - skip} bytes; the "
                           f"capture reads at most {bpfscript.max_string_len(lines)} bytes of this "
                           f"argument for sure (bpfscript.ARG0_LINES / STR_LINES)")
    raw = raw[skip:]
    end = raw.find(b"\0")
    return raw[:end].decode("utf-8", "surrogateescape")


def parse(text, require_end=True):
    """Returns a Captured."""
    heads, data, children = _parse_lines(text, require_end)
    firings = []
    for (tid, seq), (label, probe, pid, t_ns, ptrs, ints) in heads.items():
        # A firing that cannot be read whole is kept as its error: it only fails the
        # capture if it belongs to a selected process tree (other processes on the machine
        # may fire the same probes while bpftrace attaches or detaches).
        try:
            strings = [_string(data, tid, seq, probe, arg, ptr)
                       for arg, ptr in zip(bpfscript.string_args(probe), ptrs)]
            si, ii = iter(strings[1:]), iter(ints)
            args = [next(si) if kind == "str" else next(ii) for _name, kind in PROBE_ARGS[probe]]
            ev = {"probe": probe, "t_ns": t_ns, "tid": tid, "arg0": strings[0], "args": args}
        except CaptureError as e:
            ev = e
        firings.append((t_ns, tid, seq, label, pid, ev))
    # Data lines without a header are left over from firings cut short at attach/detach;
    # a missing firing of the selected process shows up as MISSING in the diff.
    firings.sort(key=lambda f: f[:3])
    return Captured(firings, children)
