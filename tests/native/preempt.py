"""preempt: when the runner's threads were runnable but not running.

Owns: the scheduler part of the native-diff capture and the arithmetic on it.  nextest
reads its clock (`Instant::now()`) a little before the first libc call the library sees
(before it builds the command, `nextest-runner/src/runner/executor.rs` `run_test` at
cargo-nextest-0.9.143) and a little after the last; when the machine is loaded, the
runner's thread can be preempted in between, and the two durations then differ by the
time it waited for a CPU.  That wait is measured, not guessed: the same bpftrace session
records every interval in which a runner thread was runnable but not running — from its
switch-out while still runnable (`sched_switch` with `prev_state` R, preempted) or from its
wakeup (`sched_wakeup`) to its next switch-in — as `P <tid> <from ns> <on ns>` lines.
Time a thread spent blocked (asleep) is not counted.  judge.py
allows a duration difference to exceed the tolerance by at most the time the thread
that ran the attempt was preempted inside the gap between the two measuring points.
"""

import capture


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
        "tracepoint:sched:sched_switch /@off[args->next_pid]/ "
        '{ printf("P %d %lu %lu\\n", args->next_pid, @off[args->next_pid], nsecs); '
        "delete(@off[args->next_pid]); }",
        # (bpftrace allows one END block, capture's: the maps it prints at exit are
        # dropped by Session._read, like an @n entry a probe re-created after END cleared it)
    ]) + "\n"


class Session(capture.Session):
    """capture.Session plus the scheduler lines; `preempted` = {tid: [(off, on)]}."""

    def __init__(self, targets, workdir, lib_path):
        super().__init__(targets, workdir)
        self.lib_path = lib_path
        self.preempted = {}

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
        self.preempted = pre
        return "".join(keep)


def within(preempted, tid, a, b):
    """Nanoseconds thread `tid` was preempted inside [a, b]."""
    if a > b:
        a, b = b, a
    total = 0
    for off, on in preempted.get(tid, ()):
        lo, hi = max(off, a), min(on, b)
        if hi > lo:
            total += hi - lo
    return total


def within_any(preempted, a, b):
    """Nanoseconds inside [a, b] during which at least one runner thread waited for a CPU
    (the union over threads, so two threads waiting at once count once)."""
    if a > b:
        a, b = b, a
    spans = sorted((max(off, a), min(on, b)) for runs in preempted.values() for off, on in runs
                   if min(on, b) > max(off, a))
    total, end = 0, a
    for lo, hi in spans:
        lo = max(lo, end)
        if hi > lo:
            total += hi - lo
            end = hi
    return total
