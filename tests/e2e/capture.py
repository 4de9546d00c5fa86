#!/usr/bin/env python3
"""capture: runs a command under real bpftrace attached to nextest's USDT probes and
returns every firing as event lines (docs/event-format.md).

Owns: the bpftrace session (tracefs, start, READY handshake, clean stop) and preloading
the library into the command.  Usage:
    capture.py --lib build/libnextest_probes.so --out events.jsonl [--native PATH
               --native-out truth.jsonl] [--no-preload] -- COMMAND ARGS…
exits with the command's exit code (128+N if killed by signal N); 3 on a capture failure.
Needs root and bpftrace.
"""

import argparse
import fcntl
import os
import signal
import subprocess
import sys
import shutil
import tempfile
import threading
import time

import bpfparse
import bpfscript
import events


ENGINE = "libnextest_probes_engine.so"


def private_copy(src, dst):
    """Copies the library to dst as a new inode (temp file + rename).  Overwriting dst in
    place would keep its inode, and a uprobe some other tracer still holds on the old
    contents makes the kernel refuse (EINVAL) the new build's probes at that inode.
    The engine the library loads from its own directory goes next to the copy (a build
    of the library as one object has none)."""
    for s, d in ((src, dst), (os.path.join(os.path.dirname(src), ENGINE),
                              os.path.join(os.path.dirname(dst), ENGINE))):
        if s != src and not os.path.exists(s):
            continue
        tmp = d + ".new"
        shutil.copy2(s, tmp)
        os.replace(tmp, d)


def _die_with_parent():
    """bpftrace is ended with the harness, even when the harness is killed: a tracer left
    behind keeps its probes attached (and its semaphores raised) in later runs."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

TRACEFS = "/sys/kernel/tracing"
# attaching ~360 probe blocks takes a few seconds; CI can be slow.  NX_BPFTRACE_READY_TIMEOUT_S
# overrides it (make check-aarch64: bpftrace compiles and attaches under emulation in 140-180 s
# when the host is loaded).
READY_TIMEOUT_S = int(os.environ.get("NX_BPFTRACE_READY_TIMEOUT_S", "180"))
STOP_TIMEOUT_S = 120
SIGINT_EVERY_S = 5
SETTLE_S = 0.3          # lets bpftrace's poll loop read the last perf records before SIGINT
# Per-CPU perf ring of 16 MiB: a test-attempt-done firing prints ~20 KB, so about 800
# firings fit before bpftrace drains; an overflow is reported ("Lost N events") and fails.
PERF_RB_PAGES = "4096"
MAP_KEYS_MAX = "65536"  # @n[tid] holds one entry per thread that ever fired


class CaptureError(bpfparse.CaptureError):
    pass


class _EarlyExit(Exception):
    pass


def ensure_tracefs():
    if os.path.isdir(TRACEFS) and not os.listdir(TRACEFS):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=True)


def preload_env(env, lib):
    """env with `lib` appended to any existing LD_PRELOAD."""
    env = dict(env)
    old = env.get("LD_PRELOAD", "")
    env["LD_PRELOAD"] = f"{old}:{lib}" if old else lib
    return env


class Session:
    """One bpftrace process attached to the given (label, ELF path) targets."""

    def __init__(self, targets, workdir, bpftrace="bpftrace"):
        self.targets = [(label, os.path.abspath(path)) for label, path in targets]
        self.workdir = workdir
        self.bpftrace = bpftrace
        self.proc = None
        self.ready_after = None  # seconds bpftrace took to attach
        self.out_path = os.path.join(workdir, "bpftrace.out")
        self.err_path = os.path.join(workdir, "bpftrace.err")

    def _read(self, path):
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def start(self, attempts=3):
        """Starts bpftrace and waits for READY.  A bpftrace that ends before READY without an
        error of its own (exit 0: it was signalled while attaching, e.g. by another tool's
        cleanup on a shared machine) is restarted, at most `attempts` times in all."""
        for n in range(attempts):
            try:
                return self._start_once()
            except _EarlyExit as e:
                print(f"capture: bpftrace ended before READY (attempt {n + 1}/{attempts}): {e}",
                      file=sys.stderr)
        raise CaptureError(f"bpftrace ended before READY {attempts} times")

    def _start_once(self):
        ensure_tracefs()
        if os.path.exists(self.out_path):
            os.unlink(self.out_path)  # READY must come from this bpftrace
        prog = os.path.join(self.workdir, "capture.bt")
        with open(prog, "w") as f:
            f.write(bpfscript.program(self.targets))
        env = dict(os.environ, BPFTRACE_PERF_RB_PAGES=PERF_RB_PAGES,
                   BPFTRACE_MAP_KEYS_MAX=MAP_KEYS_MAX, BPFTRACE_STRLEN=bpfscript.STRLEN_ENV,
                   # the same limits under the names bpftrace >= 0.21 reads
                   BPFTRACE_MAX_STRLEN=bpfscript.STRLEN_ENV, BPFTRACE_MAX_MAP_KEYS=MAP_KEYS_MAX)
        # The program's output goes to out_path through bpftrace's stdout, which it flushes
        # line by line; its own messages to err_path.  Not `-o out_path`: bpftrace 0.17
        # block-buffers that file, so READY would only appear once 4 KiB of other output
        # (fork lines) followed it — at once on a busy machine, never on a quiet one.
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen([self.bpftrace, prog], stdout=out, stderr=err,
                                         env=env, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        t0 = time.monotonic()
        deadline = t0 + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if os.path.exists(self.out_path) and "READY\n" in self._read(self.out_path):
                self.ready_after = time.monotonic() - t0
                return
            if self.proc.poll() is not None:
                if self.proc.returncode == 0 or self.proc.returncode < 0:
                    raise _EarlyExit(self._read(self.out_path)[:200].strip())
                raise CaptureError(f"bpftrace exited ({self.proc.returncode}) before READY:\n"
                                   + self._read(self.err_path)[-4000:])
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        raise CaptureError(f"bpftrace not READY after {READY_TIMEOUT_S}s:\n" + self._read(self.err_path)[-4000:])

    def run(self, cmd, env=None, cwd=None, preload=None, timeout=None, stdin=subprocess.DEVNULL,
            actions=(), actions_after=None, land=None):
        """Runs one command while attached (LD_PRELOAD=preload if given), in its own session
        and process group; `actions` = [(seconds, signal name)] are sent to that group, the
        way a terminal sends Ctrl-C / Ctrl-Z: counted from the start, or, with
        `actions_after` (a compiled bytes regex), from the moment the command's stderr first
        matches it (never, if it does not).  `land` (see _signal_landing) holds each
        signal, once due, until the command has a child process alive, or none, and
        where that is in the runner's progress.  Returns (CompletedProcess with stdout/stderr bytes, root pid for
        Captured.events)."""
        run_env = dict(os.environ if env is None else env)
        if preload:
            run_env = preload_env(run_env, os.path.abspath(preload))
        t0 = time.monotonic_ns()
        with subprocess.Popen(cmd, env=run_env, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, start_new_session=True) as p:
            _widen(p.stdout, p.stderr)
            bufs = {"stdout": bytearray(), "stderr": bytearray()}
            timers = [threading.Timer(delay, _signal_group, (p, getattr(signal, name)))
                      if land is None else
                      threading.Timer(delay, _signal_landing, (p, getattr(signal, name), land,
                                                               lambda: len(bufs["stderr"])))
                      for delay, name in actions]
            if actions_after is None:
                for t in timers:
                    t.start()
                watch = None
            else:
                watch = (actions_after, timers)
            readers = [threading.Thread(target=_drain, args=(p.stdout, bufs["stdout"], None)),
                       threading.Thread(target=_drain, args=(p.stderr, bufs["stderr"], watch))]
            for r in readers:
                r.start()
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)
                p.wait()
                raise
            finally:
                for r in readers:
                    r.join()
                for t in timers:
                    t.cancel()
        return subprocess.CompletedProcess(cmd, p.returncode, bytes(bufs["stdout"]),
                                           bytes(bufs["stderr"])), \
            bpfparse.Root(p.pid, t0, time.monotonic_ns())

    def stop(self):
        """Stops bpftrace with SIGINT and returns a bpfparse.Captured.  bpftrace 0.17 now
        and then misses a SIGINT when a large program is attached: it is repeated every
        SIGINT_EVERY_S seconds until bpftrace exits or STOP_TIMEOUT_S have passed.  Not once
        its END block has printed: it got the signal and is detaching its probes, which can
        take longer than SIGINT_EVERY_S on a slow machine (emulated arm64), and a second
        SIGINT then kills it (exit -2) with the capture complete but unjudged."""
        time.sleep(SETTLE_S)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while True:
            if "\nEND\n" not in self._read(self.out_path):
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=min(SIGINT_EVERY_S, max(0.1, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    self.proc.kill()
                    self.proc.wait()
                    raise CaptureError("bpftrace did not stop within "
                                       f"{STOP_TIMEOUT_S}s after SIGINT") from None
        if self.proc.returncode != 0:
            raise CaptureError(f"bpftrace exited {self.proc.returncode}:\n" + self._read(self.err_path)[-4000:])
        return bpfparse.parse(self._read(self.out_path))

    def abort(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


F_SETPIPE_SZ = 1031
PIPE_BYTES = 1 << 20


def _widen(*pipes):
    """Gives the command's output pipes 1 MiB (the default pipe-max-size): nextest writes
    its reporter lines from its async runtime, and a write that blocks on a full 64 KiB pipe
    (this harness's reader threads waiting for a CPU on a loaded machine) stalls the tasks
    queued behind it on that worker thread — a test's leak timer then fires before its
    pipes' EOF is read, and the run prints LEAK for a test that leaked nothing.  The
    harness must not slow the runner down; a 1,000-test run prints about 70 KiB."""
    for f in pipes:
        try:
            fcntl.fcntl(f.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:
            pass   # a lower pipe-max-size: the default size stays


def _drain(pipe, buf, watch):
    """Reads `pipe` to EOF into `buf`; watch = (regex, timers): the timers are started when
    what was read first matches the regex."""
    while True:
        chunk = pipe.read1(65536)
        if not chunk:
            return
        buf += chunk
        if watch is not None:
            # a line may arrive in pieces: search the tail that could hold a new match
            if watch[0].search(buf[-(len(chunk) + 4096):]):
                for t in watch[1]:
                    t.start()
                watch = None


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


LAND_WAIT_S = 5.0


def _has_child(pid):
    """Does process pid have a child (any of its threads'), right now?"""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                if f.read().strip():
                    return True
        except OSError:
            pass
    return False


def _signal_landing(proc, sig, land, progress=None):
    """Sends sig to proc's group once it lands where `land` says, polled every 0.2 ms for
    at most LAND_WAIT_S, then sent anyway:
      "in-test"  a child process alive (a test or its double-spawn stub);
      "between"  none alive;
      "exited"   none alive, and nothing written to stderr since one was last seen: the
                 test has exited and the runner has not reported it yet.
    `progress()` is how many bytes of the runner's stderr have been read so far (without
    it "exited" holds as "between").  Aiming at the gap after the runner reported a test
    and before it starts the next (stderr grown since a child was last seen) was tried:
    that gap is shorter than this poll reacts, 20 of 20 such tries killed the next test
    (the simulator at 0.9.107, `stress-infinite`), "between" reaches it in 2 of 20.
    For the library-free runs a signal
    scenario's output is compared with: where a Ctrl-C lands decides what nextest does (a
    test killed, the run cancelled with a test not yet reported, or with none running),
    and a run whose signal lands where the library's run's did is what its output must
    equal."""
    deadline = time.monotonic() + LAND_WAIT_S
    seen_at = None    # stderr bytes read when a child was last seen alive
    while time.monotonic() < deadline:
        n = progress() if progress else None
        alive = _has_child(proc.pid)
        if alive:
            seen_at = n
            if land == "in-test":
                break
        elif land == "between" or land == "exited" and (progress is None or
                                                         seen_at is not None and n == seen_at):
            break
        time.sleep(0.0002)
    _signal_group(proc, sig)


def run_captured(cmd, lib, targets=None, env=None, cwd=None, workdir=None, preload=True,
                 timeout=None, stdin=subprocess.DEVNULL):
    """Runs `cmd` (LD_PRELOAD=lib unless preload=False) under a capture of `targets`
    (default [("shim", lib)]).  Returns (CompletedProcess, {label: events of cmd's
    process tree})."""
    targets = targets or [("shim", lib)]
    own_dir = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="e2e-capture-")
    session = Session(targets, workdir)
    session.start()
    try:
        proc, root = session.run(cmd, env=env, cwd=cwd, preload=lib if preload else None,
                                 timeout=timeout, stdin=stdin)
    except BaseException:
        session.abort()
        raise
    captured = session.stop()
    if own_dir:
        shutil.rmtree(workdir)
    return proc, {label: captured.events(label, root) for label, _path in targets}


def exit_status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def main(argv=None):
    ap = argparse.ArgumentParser(description="run a command under the probe capture")
    ap.add_argument("--lib", required=True, help="library whose probes are captured and preloaded")
    ap.add_argument("--out", required=True, help="event file for the library's probes")
    ap.add_argument("--native", help="also capture the native probes of this ELF (real nextest)")
    ap.add_argument("--native-out", help="event file for the native probes")
    ap.add_argument("--no-preload", action="store_true", help="do not set LD_PRELOAD")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    targets = [("shim", a.lib)] + ([("native", a.native)] if a.native else [])
    try:
        proc, captured = run_captured(cmd, a.lib, targets=targets, preload=not a.no_preload)
    except bpfparse.CaptureError as e:
        print(f"capture: {e}", file=sys.stderr)
        return 3
    sys.stdout.buffer.write(proc.stdout)
    sys.stderr.buffer.write(proc.stderr)
    events.save(a.out, captured.get("shim", []))
    if a.native_out:
        events.save(a.native_out, captured.get("native", []))
    return exit_status(proc.returncode)


if __name__ == "__main__":
    sys.exit(main())
