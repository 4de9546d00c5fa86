"""Capture round trip under real bpftrace: fakeprobe_run fires all ten probes of
libfakeprobes.so (built from fakeprobes.c) from two threads with known hostile values, and
the capture must return exactly those values, byte for byte.  A second command in the same
session fires a string longer than the documented maximum, which must fail loudly, and a
third process fires outside the selected process tree, which must not leak into it.

Needs root and bpftrace; run by `make e2e-selftest`.  Env: E2E_BUILD (default build/e2e).
"""

import os
import tempfile

import pytest

import bpfparse
import bpfscript
import capture
import events
from events import PROBE_ARGS

E2E = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUILD = os.path.abspath(os.environ.get("E2E_BUILD", os.path.join(E2E, "..", "..", "build", "e2e")))
LIB = os.path.join(BUILD, "libfakeprobes.so")
RUNNER = os.path.join(BUILD, "fakeprobe_run")

ARG0_MAX = bpfscript.max_string_len(bpfscript.ARG0_LINES)
STR_MAX = bpfscript.max_string_len(bpfscript.STR_LINES)

HOSTILE = ('{"ok":{"test_name":"q\\"uote \\\\ back\\\\slash literal \\x0a and \\x00 text",'
           '"nl":"\n","tab":"\t","ctl":"\x01\x02\x1f","del":"\x7f","utf8":"é日本語🦀",'
           '"pct":"%s%d%n%%","dollar":"$HOME#2@stress-1"}}')


def long_json(n):
    """A JSON-ish string of exactly n bytes built from the hostile pieces."""
    unit = HOSTILE.encode()
    out = (unit * (n // len(unit) + 1))[:n]
    # do not cut a UTF-8 sequence: pad with ASCII where the cut falls inside one
    while True:
        try:
            out.decode()
            return out
        except UnicodeDecodeError as e:
            out = out[:e.start] + b"x" * (len(out) - e.start)


def strings_for(probe, k):
    """(arg0 bytes, [string args as bytes]) for firing k of `probe`."""
    sizes = [len(HOSTILE.encode()), 1500, 0, 1, 127, 128, 255, 256, ARG0_MAX]
    arg0 = long_json(sizes[k % len(sizes)]) if k % len(sizes) != 0 else HOSTILE.encode()
    strs = []
    for i, (name, kind) in enumerate(PROBE_ARGS[probe]):
        if kind != "str":
            continue
        if name == "test_name":
            s = ("hostile::" + "quote\"back\\slash\\x0a\n\t\x7fé🦀$#%s " * 40).encode()[:1100 + k]
        elif name in ("attempt_id", "id", "stress_sub_run_id", "run_id") and i == 0:
            s = f'55459fda-13fe-406a-b4e3-0230fd52bb03:fx-basic${probe}\\"#{k}'.encode()
        elif k % 3 == 1:
            s = b"x" * STR_MAX  # the longest guaranteed-complete string
        elif k % 3 == 2:
            s = b"\xff\xfe invalid utf-8 \x80"
        else:
            s = name.encode()
        strs.append(s)
    return arg0, strs


def ints_for(probe, k):
    vals = {"u32": [4294967295, 0, 2147483648, 1], "u64": [18446744073709551615, 0, 2**63, 4294967296]}
    return [vals[kind][k % 4] for _n, kind in PROBE_ARGS[probe] if kind != "str"]


def expected_firing(probe, k):
    arg0, strs = strings_for(probe, k)
    si, ii = iter(strs), iter(ints_for(probe, k))
    args = [next(si) if kind == "str" else next(ii) for _n, kind in PROBE_ARGS[probe]]
    return probe, arg0, args


def spec_line(thread, firing, offset):
    probe, arg0, args = firing
    toks = [f"s{offset}:{arg0.hex()}"]
    for (_n, kind), v in zip(PROBE_ARGS[probe], args):
        toks.append(f"s{(offset * 7) % 128}:{v.hex()}" if kind == "str" else f"u:{v}")
    return f"{thread} {probe} " + " ".join(toks) + "\n"


def as_bytes(ev):
    """A captured event in the expected_firing shape (strings back to bytes)."""
    enc = lambda s: s.encode("utf-8", "surrogateescape")  # noqa: E731
    args = [enc(a) if isinstance(a, str) else a for a in ev["args"]]
    return ev["probe"], enc(ev["arg0"]), args


class RoundTrip:
    def __init__(self):
        if os.geteuid() != 0:  # no skip: without root the capture is untested, which is a failure
            raise AssertionError("the capture round trip needs root (bpftrace)")
        for f in (LIB, RUNNER):
            if not os.path.exists(f):
                raise AssertionError(f"{f} missing: run `make e2e-selftest` (it builds it)")
        self.tmp = tempfile.mkdtemp(prefix="e2e-selftest-")
        # Two threads, every probe, several sizes and misalignments each.
        self.expected = {0: [], 1: []}
        lines = []
        k = 0
        for rnd in range(3):
            for probe in PROBE_ARGS:
                for thread in (0, 1):
                    f = expected_firing(probe, k)
                    self.expected[thread].append(f)
                    lines.append(spec_line(thread, f, (k * 37) % 128))
                    k += 1
        good = os.path.join(self.tmp, "good.spec")
        with open(good, "w") as fh:
            fh.writelines(lines)
        too_long = os.path.join(self.tmp, "long.spec")
        with open(too_long, "w") as fh:
            fh.write(spec_line(0, ("run-start", b"y" * (bpfscript.ARG0_LINES * bpfscript.LINE_BYTES),
                                   [b"run"]), 0))
        session = capture.Session([("shim", LIB)], self.tmp)
        session.start()
        try:
            self.good_proc, self.good_root = session.run([RUNNER, good, "2"], preload=LIB, timeout=120)
            self.long_proc, self.long_root = session.run([RUNNER, too_long, "1"], preload=LIB, timeout=120)
            self.other_proc, self.other_root = session.run([RUNNER, good, "1"], timeout=120)  # no preload
        except BaseException:
            session.abort()
            raise
        self.captured = session.stop()


@pytest.fixture(scope="module")
def rt():
    return RoundTrip()


def test_runner_succeeded(rt):
    for p in (rt.good_proc, rt.long_proc, rt.other_proc):
        assert p.returncode == 0, p.stderr


def test_every_firing_byte_exact_per_thread(rt):
    evs = rt.captured.events("shim", rt.good_root)
    by_tid = {}
    for e in evs:
        by_tid.setdefault(e["tid"], []).append(as_bytes(e))
    assert len(by_tid) == 2, f"expected firings from 2 threads, got {list(by_tid)}"
    got = sorted(by_tid.values(), key=lambda seq: seq[0][2])
    want = sorted(rt.expected.values(), key=lambda seq: seq[0][2])
    for g, w in zip(got, want):
        assert len(g) == len(w)
        for i, (ge, we) in enumerate(zip(g, w)):
            assert ge == we, f"firing {i} ({we[0]}) differs"


def test_times_monotonic_and_events_valid(rt):
    evs = rt.captured.events("shim", rt.good_root)
    assert [e["t_ns"] for e in evs] == sorted(e["t_ns"] for e in evs)
    for e in evs:
        e2 = dict(e, arg0=e["arg0"].encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        events.validate(e2)


def test_too_long_string_fails_loudly(rt):
    with pytest.raises(bpfparse.CaptureError) as cm:
        rt.captured.events("shim", rt.long_root)
    assert "not terminated" in str(cm.value)


def test_other_process_tree_is_separate(rt):
    # Same probes fired by a third command (not preloaded, linked directly): its events
    # are in the capture but not in the first command's tree, and vice versa.
    mine = [as_bytes(e) for e in rt.captured.events("shim", rt.other_root)]
    assert mine == rt.expected[0]  # one thread: only thread 0's lines fire
    assert rt.captured.tree(rt.good_root).isdisjoint(rt.captured.tree(rt.other_root))


# ---- the parser on hand-made bpftrace output (no bpftrace needed) ----


def data_line(tid, seq, arg, idx, data):
    data = data.ljust(bpfscript.LINE_BYTES, b"\0")
    return f"D {tid} {seq} {arg} {idx} " + " ".join(f"{b:02x}" for b in data) + " \n"


def firing(tid, seq, arg0, arg1, pid=77):
    ptr = 0x1000 + 5
    out = f"H shim run-start {pid} {tid} {seq} 123 {ptr:x} {ptr:x}\n"
    for arg, s in ((0, arg0), (1, arg1)):
        full = b"J" * 5 + s + b"\0"
        # like the program: lines up to the one holding the NUL
        for idx in range(len(full) // bpfscript.LINE_BYTES + 1):
            out += data_line(tid, seq, arg, idx, full[idx * bpfscript.LINE_BYTES:(idx + 1) * bpfscript.LINE_BYTES])
    return out


def test_interleaved_cpus():
    a = firing(1, 1, b'{"ok":{}}', b"run-a").splitlines(True)
    b = firing(2, 1, b'{"ok":{"x":1}}', b"run-b").splitlines(True)
    mixed = [x for pair in zip(a, b) for x in pair] + a[len(b):] + b[len(a):]
    c = bpfparse.parse("READY\n" + "".join(mixed) + "END\n")
    got = sorted((e["arg0"], e["args"][0]) for e in c.events("shim"))
    assert got == [('{"ok":{"x":1}}', "run-b"), ('{"ok":{}}', "run-a")]


def test_missing_end_fails():
    with pytest.raises(bpfparse.CaptureError):
        bpfparse.parse(firing(1, 1, b"{}", b"r"))


def test_lost_events_fail():
    with pytest.raises(bpfparse.CaptureError):
        bpfparse.parse("Lost 3 events\nEND\n")


def test_missing_data_line_fails():
    text = "".join(l for l in firing(1, 1, b"{" * 1000, b"r").splitlines(True)
                   if not l.startswith("D 1 1 0 3 "))
    c = bpfparse.parse(text + "END\n")
    with pytest.raises(bpfparse.CaptureError) as cm:
        c.events("shim")
    assert "data line 3 missing" in str(cm.value)


def test_long_string_across_lines():
    s = bytes(range(1, 256)) * 7
    c = bpfparse.parse(firing(1, 1, b"x", s) + "END\n")
    assert c.events("shim")[0]["args"][0].encode("utf-8", "surrogateescape") == s


def test_garbage_line_fails():
    with pytest.raises(bpfparse.CaptureError):
        bpfparse.parse("hello\nEND\n")


def test_process_tree():
    text = "F 10 11\nF 11 12\nF 99 100\n" + firing(1, 1, b"a", b"b", pid=12) + \
        firing(2, 1, b"c", b"d", pid=100) + "END\n"
    c = bpfparse.parse(text)
    assert [e["arg0"] for e in c.events("shim", 10)] == ["a"]
    assert [e["arg0"] for e in c.events("shim", 99)] == ["c"]


def test_signal_landing_waits_for_a_child():
    """land="in-test" holds the signal until the process has a child; _landing picks the
    place from the outcome to reproduce."""
    import signal as _signal
    import subprocess as _sp
    import time as _time
    from run_e2e import _landing
    assert _landing((100, True, 1)) == "in-test"
    assert _landing((100, False, 0)) == "between"   # reported, the next not started
    assert _landing((0, False, 1)) == "exited"      # the test had exited, not yet handled
    assert _landing((0, False, None)) is None
    from run_e2e import rerun_landing
    # even tries aim where the library's run landed, odd ones where the scenario says;
    # a run cancelled with no test running is aimed at on every try
    assert [rerun_landing((0, False, 1), "in-test", k) for k in range(3)] == ["exited", "in-test", "exited"]
    assert [rerun_landing((100, False, 0), None, k) for k in range(3)] == ["between"] * 3
    # a process that starts a child only after 0.5 s: the SIGTERM must wait for it
    import sys as _sys
    p = _sp.Popen([_sys.executable, "-c",
                   "import subprocess, time; time.sleep(0.5); subprocess.run(['sleep', '5'])"],
                  start_new_session=True)
    try:
        assert not capture._has_child(p.pid)
        t0 = _time.monotonic()
        capture._signal_landing(p, _signal.SIGTERM, "in-test")
        waited = _time.monotonic() - t0
        assert p.wait(timeout=10) == -_signal.SIGTERM
        assert 0.4 < waited < capture.LAND_WAIT_S
    finally:
        if p.poll() is None:
            p.kill()


def test_signal_landing_exited_waits_for_a_child_to_end_unreported():
    """land="exited": not before a child was seen, and not while it lives; sent once it has
    ended with no output since (progress unchanged), and not while the output grows."""
    import signal as _signal
    import subprocess as _sp
    import sys as _sys
    import time as _time
    script = "import subprocess, time; time.sleep(0.2); subprocess.run(['sleep', '0.3']); time.sleep(5)"
    for grows, lo, hi in ((False, 0.45, 2.0), (True, capture.LAND_WAIT_S - 0.1, capture.LAND_WAIT_S + 2)):
        p = _sp.Popen([_sys.executable, "-c", script], start_new_session=True)
        t0 = _time.monotonic()
        # output that grows all the time: never "nothing written since"
        progress = (lambda: int((_time.monotonic() - t0) * 1e4)) if grows else (lambda: 0)
        try:
            capture._signal_landing(p, _signal.SIGTERM, "exited", progress)
            waited = _time.monotonic() - t0
            assert p.wait(timeout=10) == -_signal.SIGTERM
            assert lo < waited < hi, (grows, waited)
        finally:
            if p.poll() is None:
                p.kill()
