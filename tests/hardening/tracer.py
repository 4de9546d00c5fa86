"""tracer.py — a minimal bpftrace session counting attempt starts and dones.

Owns: attaching bpftrace by library path to test-attempt-start and
test-attempt-done of one or more copies of libnextest_probes.so (a READY
handshake, so the probes' semaphores are raised before the command under
test starts), and parsing what it printed into per-(pid, attempt id) counts.
Each line is "S|D <pid> <nsecs> <attempt id>"; BEGIN and END print their
nsecs, and stop() notes when it sent SIGINT, so callers know the attached
window (bpftrace 0.17 runs BEGIN before its uprobes deliver: see soak.py).  Attaching by path means only
processes that map that very file (inode) are traced: each test area uses
its own copy of the library.
"""

import os
import resource
import signal
import subprocess
import time

TRACEFS = "/sys/kernel/tracing"


def ensure_tracefs():
    if os.path.isdir(TRACEFS) and not os.listdir(TRACEFS):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=False)


def script(libs):
    parts = []
    for lib in libs:
        parts.append(f'usdt:{lib}:nextest:test-attempt-start '
                     '{ printf("S %d %lu %s\\n", pid, nsecs, str(arg1)); }')
        parts.append(f'usdt:{lib}:nextest:test-attempt-done '
                     '{ printf("D %d %lu %s\\n", pid, nsecs, str(arg1)); }')
    parts.append('BEGIN { printf("READY %lu\\n", nsecs); }')
    parts.append('END { printf("END %lu\\n", nsecs); }')
    return "\n".join(parts)


def _limits():
    try:
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass        # not permitted here; bpftrace copes on current kernels


class Session:
    def __init__(self, libs, out_path,
                 timeout=int(os.environ.get("NX_BPFTRACE_READY_TIMEOUT_S", "120"))):
        ensure_tracefs()
        self.out_path = out_path
        self.out = open(out_path, "wb")
        env = dict(os.environ, BPFTRACE_STRLEN="200")
        env.pop("LD_PRELOAD", None)
        self.proc = subprocess.Popen(["bpftrace", "-e", script([os.path.abspath(l) for l in libs])],
                                     stdout=self.out, stderr=subprocess.STDOUT, env=env,
                                     preexec_fn=_limits)
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(out_path, "rb") as f:
                data = f.read()
            if b"READY" in data:
                self.begin_ns = int(data.split(b"READY ", 1)[1].split()[0])
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"bpftrace exited early: {data[-2000:]!r}")
            time.sleep(0.02)
        self.proc.kill()
        raise RuntimeError("bpftrace did not become ready")

    def stop(self, settle=0.3):
        """Stops bpftrace; returns (events, end_ns, problems)."""
        time.sleep(settle)
        # Every probe stays attached until bpftrace handles this SIGINT: the instant (same
        # CLOCK_MONOTONIC as bpftrace's nsecs) bounds the attached window from above.
        self.sigint_ns = time.monotonic_ns()
        # bpftrace 0.17 now and then misses a SIGINT while it is still attaching or
        # detaching: repeat it every 5 s (as tests/e2e/capture.py does), kill after 60 s.
        deadline = time.monotonic() + 60
        while True:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    self.proc.kill()
                    self.proc.wait()
                    break
        self.out.close()
        return parse(self.out_path)


def parse(path):
    events, end_ns, problems = [], None, []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\n")
            if line.startswith((b"S ", b"D ")):
                kind, pid, ns, ident = line.split(b" ", 3)
                events.append((kind.decode(), int(pid), int(ns), ident.decode("utf-8", "replace")))
            elif line.startswith(b"END "):
                end_ns = int(line.split()[1])
            elif line.startswith(b"Lost"):
                problems.append(line.decode("utf-8", "replace"))
    return events, end_ns, problems


def counts(events, pid=None):
    """{attempt id: [starts, dones]} for one pid (or all)."""
    c = {}
    for kind, p, _ns, ident in events:
        if pid is not None and p != pid:
            continue
        c.setdefault(ident, [0, 0])[0 if kind == "S" else 1] += 1
    return c
