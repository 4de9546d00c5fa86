"""mask.py masks exactly the run-to-run noise it names and nothing else."""

import pytest

import mask


MASKED = {
    "run-id": (b"Nextest run ID 55459fda-13fe-406a-b4e3-0230fd52bb03 with nextest profile: default",
               b"Nextest run ID <UUID> with nextest profile: default"),
    "run-id-coloured": (b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[1m077a11e3-1496-4142-a5b5-ae204a01c0c2\x1b[0m",
                        b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[1m<UUID>\x1b[0m"),
    "status-duration": (b"        PASS [   0.012s] fx-basic basic::pass_quick",
                        b"        PASS [<DUR>] fx-basic basic::pass_quick"),
    "summary-duration": (b"     Summary [   1.234s] 30 tests run", b"     Summary [<DUR>] 30 tests run"),
    "cargo-finished": (b"    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.02s",
                       b"    Finished `test` profile [unoptimized + debuginfo] target(s) in <DUR>"),
    "libtest-finished": (b"test result: ok. 1 passed; finished in 0.00s",
                         b"test result: ok. 1 passed; finished in <DUR>"),
    "exec-time": (b'{"type":"test","event":"ok","exec_time":0.001234}',
                  b'{"type":"test","event":"ok","exec_time":<DUR>}'),
    "thread-id": (b"thread 'fail_panic' (4748) panicked at", b"thread 'fail_panic' (<TID>) panicked at"),
    "env-tmp": (b"env file /tmp/nextest-envAb12_z is bad", b"env file /tmp/nextest-env<TMP> is bad"),
    "pid": (b"killed (pid 1234)", b"killed (pid <PID>)"),
}


@pytest.mark.parametrize("raw, want", MASKED.values(), ids=MASKED.keys())
def test_each_mask(raw, want):
    assert mask.mask(raw) == want


@pytest.mark.parametrize("raw", [
    b"        SLOW [>   1.000s] fx-basic::timing slow_2500ms",   # k x period: exact
    b"exit code 3", b"Starting 30 tests across 10 binaries (1024 tests skipped)",
    b"hostile::dollar$sign$HOME", b"( 1/30)", b"thread 'x' panicked at",
    b"pid 1234", b"55459fda13fe406ab4e30230fd52bb03"])
def test_not_masked(raw):
    assert mask.mask(raw) == raw, raw


def test_parallel_counter_only_in_sorted_mode():
    line = b"        PASS [   0.004s] ( 1/30) fx-basic basic::pass_prints"
    assert mask.mask(line) == b"        PASS [<DUR>] ( 1/30) fx-basic basic::pass_prints"
    assert mask.mask(line, True) == b"        PASS [<DUR>] (<I>/30) fx-basic basic::pass_prints"


def test_stress_tag_and_line_set():
    a = (b"        PASS [   0.003s] [334] (1/1) fx-basic basic::pass_quick\n"
         b" Stress test iteration 2 (00:00:00/00:00:02 elapsed so far, 00:00:02 remaining)\n"
         b"     Summary [   2.002s] 334 stress run iterations: 334 passed\n")
    b = a.replace(b"334", b"436").replace(b"iteration 2", b"iteration 7")
    assert mask.compare(a, b, "sorted-lines") is not None
    assert mask.compare(a, b, "line-set") is None
    assert mask.compare(a, b + b"error: test run failed\n", "line-set") is not None
    s = b"        PASS [   0.004s] [2/3] (1/4) fx-basic basic::pass_quick"
    assert mask.mask(s, True) == b"        PASS [<DUR>] [2/3] (<I>/4) fx-basic basic::pass_quick"


def test_compare():
    a = b"PASS [   0.001s] a\nPASS [   0.002s] b\n"
    b = b"PASS [   0.003s] b\nPASS [   0.004s] a\n"
    assert mask.compare(a, b, "exact") is not None
    assert mask.compare(a, b, "sorted-lines") is None
    assert "line 1" in mask.compare(b"x\n", b"y\n", "exact")
    assert mask.compare(a, a + b"extra\n", "sorted-lines") is not None


def test_two_writers_keeps_each_writers_order():
    """--no-capture: a test's own lines may fall before or after nextest's START / PASS
    lines (two writers on one stream); each writer's lines keep their order."""
    plain = (b"       START             fx-basic basic::pass_prints\n"
             b"fx-basic pass_prints: to stderr\n"
             b"        PASS [   0.004s] fx-basic basic::pass_prints\n"
             b" Nextest run ID x\n"
             b"------------\n")
    moved = (b"fx-basic pass_prints: to stderr\n"
             b"       START             fx-basic basic::pass_prints\n"
             b"        PASS [   0.001s] fx-basic basic::pass_prints\n"
             b" Nextest run ID x\n"
             b"------------\n")
    assert mask.compare(plain, moved, "exact") is not None
    assert mask.compare(plain, moved, "two-writers") is None
    swapped = moved.replace(b"       START             fx-basic basic::pass_prints\n", b"").replace(
        b" Nextest run ID x\n", b" Nextest run ID x\n       START             fx-basic basic::pass_prints\n")
    assert "nextest's lines" in mask.compare(plain, swapped, "two-writers")
    other = plain.replace(b"to stderr", b"to stdout")
    assert "the tests' lines" in mask.compare(plain, other, "two-writers")
