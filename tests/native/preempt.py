"""preempt: when the runner's threads were runnable but not running.

Owns: the scheduler part of the native-diff capture and the arithmetic on it.  nextest
reads its clock (`Instant::now()`) a little before the first libc call the library sees
(before it builds the command, `nextest-runner/src/runner/executor.rs` `run_test` at
cargo-nextest-0.9.143) and a little after the last; when the machine is loaded, the
runner's thread can be preempted in between, and the two durations then differ by the
time it waited for a CPU.  That wait is measured, not guessed: the same bpftrace session
records every interval in which a runner thread was runnable but not running — from its
switch-out while still runnable (`sched_switch` with `prev_state` R, preempted), from its
wakeup (`sched_wakeup`) or, for a thread the runner just created, from its creation
(`sched_wakeup_new`) to its next switch-in — as `P <tid> <from ns> <on ns>` lines, those
of MIN_WAIT_NS or more (below: shorter ones printed fed a loop).
Time a thread spent blocked (asleep) is not counted.  judge.py
allows a duration difference to exceed the tolerance by at most the time the thread
that ran the attempt was preempted inside the gap between the two measuring points.
"""

import bisect

import capture


# The shortest wait printed.  Every printed line wakes bpftrace's reader, and on a quiet
# machine the woken reader preempts the runner thread that produced the line for about
# 6 us: printing that wait too fed a loop.  Traced with every runner thread's preemption
# and what preempted it: after an attempt's reap the thread that goes on to nextest's
# stopwatch was preempted by bpftrace about every 20 us for 6 us, ~450 times, and reached
# its stopwatch 9.5-26 ms later; the attempts came out that much short against nextest's
# (`retries`, `basic-j1`, 2 of every 3 runs at load average below 1) and the printed waits
# covered a third of it.  Without the short waits the loop has nothing to feed on.  A
# wait shorter than this is not counted in any allowance (the judge is only stricter).
MIN_WAIT_NS = 50_000


def program(lib_path):
    return "\n".join([
        # the runner's processes: those of this capture that spawn through the library
        # copy (not other runs of the same nextest binary on the machine)
        f"uprobe:{lib_path}:posix_spawn {{ @runner[pid] = 1; }}",
        f"uprobe:{lib_path}:posix_spawnp {{ @runner[pid] = 1; }}",
        # `pid` is the task being switched out: remember the runner's threads; in state R
        # (not sleeping) it was preempted and waits for a CPU from now
        "tracepoint:sched:sched_switch /@runner[pid]/ { @rtid[args->prev_pid] = 1; }",
        "tracepoint:sched:sched_switch /@runner[pid] && (args->prev_state & 0xff) == 0/ "
        "{ @off[args->prev_pid] = nsecs; }",
        # a runner thread woken up waits for a CPU from its wakeup
        "tracepoint:sched:sched_wakeup /@rtid[args->pid]/ { @off[args->pid] = nsecs; }",
        # a thread the runner just created (tokio's blocking pool starts them on demand)
        # waits for a CPU from its creation; runs in the creating thread's context
        "tracepoint:sched:sched_wakeup_new /@runner[pid]/ "
        "{ @rtid[args->pid] = 1; @off[args->pid] = nsecs; }",
        # only waits of MIN_WAIT_NS or more are printed (see there)
        "tracepoint:sched:sched_switch /@off[args->next_pid]/ "
        f"{{ if (nsecs - @off[args->next_pid] >= {MIN_WAIT_NS}) {{ "
        'printf("P %d %lu %lu\\n", args->next_pid, @off[args->next_pid], nsecs); } '
        "delete(@off[args->next_pid]); }",
        # (bpftrace allows one END block, capture's: the maps it prints at exit are
        # dropped by Session._read, like an @n entry a probe re-created after END cleared it)
    ]) + "\n"


class Session(capture.Session):
    """capture.Session plus the scheduler lines; `preempted` = their Waits."""

    def __init__(self, targets, workdir, lib_path):
        super().__init__(targets, workdir)
        self.lib_path = lib_path
        self.preempted = Waits({})

    def _start_once(self):
        orig = capture.bpfscript.program
        capture.bpfscript.program = lambda targets: orig(targets) + program(self.lib_path)
        try:
            return super()._start_once()
        finally:
            capture.bpfscript.program = orig

    def stop(self):
        # The scheduler probes make bpftrace slower to detach on a loaded machine; a second
        # SIGINT while it runs END makes it exit without END (a failed capture), so give
        # it longer between SIGINTs than capture's default.
        saved = capture.SIGINT_EVERY_S
        capture.SIGINT_EVERY_S = 30
        try:
            return super().stop()
        finally:
            capture.SIGINT_EVERY_S = saved

    def _read(self, path):
        text = super()._read(path)
        if path != self.out_path:
            return text
        keep, pre = [], {}
        for line in text.splitlines(True):
            if line.startswith("@"):  # maps bpftrace prints at exit (also a late @n entry)
                continue
            if line.startswith("P "):
                parts = line.split()
                if len(parts) == 4:
                    pre.setdefault(int(parts[1]), []).append((int(parts[2]), int(parts[3])))
                    continue
            keep.append(line)
        self.preempted = Waits(pre)
        return "".join(keep)


class Waits:
    """The waits of one capture, indexed: per thread sorted and disjoint (a thread waits,
    then runs), and their union over all threads; each query costs O(log n) (a whole
    native-diff session under load records hundreds of thousands of waits)."""

    def __init__(self, per_tid):
        self.tids = {tid: _Spans(runs) for tid, runs in per_tid.items()}
        self.union = _Spans([r for runs in per_tid.values() for r in runs])

    def __bool__(self):
        return bool(self.tids)

    def within(self, tid, a, b):
        spans = self.tids.get(tid)
        return spans.overlap(a, b) if spans else 0

    def within_any(self, a, b):
        return self.union.overlap(a, b)


class _Spans:
    """Disjoint sorted intervals (overlapping input merged) with prefix sums of lengths."""

    def __init__(self, runs):
        self.offs, self.ons, self.before = [], [], [0]
        for off, on in sorted(runs):
            if on <= off:
                continue
            if self.ons and off <= self.ons[-1]:
                if on > self.ons[-1]:
                    self.before[-1] += on - self.ons[-1]
                    self.ons[-1] = on
                continue
            self.offs.append(off)
            self.ons.append(on)
            self.before.append(self.before[-1] + on - off)

    def overlap(self, a, b):
        if a > b:
            a, b = b, a
        i = bisect.bisect_right(self.ons, a)       # first span ending after a
        j = bisect.bisect_left(self.offs, b)       # spans [i, j) start before b
        if i >= j:
            return 0
        total = self.before[j] - self.before[i]
        total -= max(0, a - self.offs[i])          # clip the first span at a
        total -= max(0, self.ons[j - 1] - b)       # and the last at b
        return total


def within(preempted, tid, a, b):
    """Nanoseconds thread `tid` was preempted inside [a, b]."""
    return preempted.within(tid, a, b)


def within_any(preempted, a, b):
    """Nanoseconds inside [a, b] during which at least one runner thread waited for a CPU
    (the union over threads, so two threads waiting at once count once)."""
    return preempted.within_any(a, b)
