"""test_preempt: preempt.Waits, the indexed waits the judge's allowance is computed from,
against the plain definition (sum of the overlaps; for the union, overlapping waits of
two threads counted once)."""

import random

import pytest

import preempt


def plain_within(pre, tid, a, b):
    a, b = min(a, b), max(a, b)
    return sum(max(0, min(on, b) - max(off, a)) for off, on in pre.get(tid, ()))


def plain_within_any(pre, a, b):
    a, b = min(a, b), max(a, b)
    covered = set()
    for runs in pre.values():
        for off, on in runs:
            covered.update(range(max(off, a), min(on, b)))
    return len(covered)


def random_waits(rng):
    pre = {}
    for tid in range(rng.randint(0, 4)):
        t, runs = rng.randint(0, 50), []
        for _ in range(rng.randint(0, 12)):
            off = t + rng.randint(0, 20)
            on = off + rng.randint(1, 15)
            runs.append((off, on))
            t = on
        pre[tid] = runs
    return pre


@pytest.mark.parametrize("seed", range(40))
def test_waits_equal_the_plain_sums(seed):
    rng = random.Random(seed)
    pre = random_waits(rng)
    w = preempt.Waits(pre)
    for _ in range(60):
        a, b, tid = rng.randint(-10, 400), rng.randint(-10, 400), rng.randint(0, 4)
        assert w.within(tid, a, b) == plain_within(pre, tid, a, b)
        assert w.within_any(a, b) == plain_within_any(pre, a, b)


def test_union_counts_overlapping_threads_once():
    w = preempt.Waits({1: [(10, 20)], 2: [(15, 30)], 3: [(40, 45)]})
    assert w.within_any(0, 100) == 25
    assert w.within_any(18, 42) == 14
    assert w.within(2, 0, 100) == 15
    assert w.within(9, 0, 100) == 0


def test_empty_is_false():
    assert not preempt.Waits({})
    assert preempt.Waits({1: [(1, 2)]})
