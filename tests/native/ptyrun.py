"""ptyrun: runs a command on a pseudo-terminal the way a user's shell would, and renders
what it drew.

Owns: the PTY (os.openpty + TIOCSWINSZ, the slave as the controlling terminal and as
stdin/stdout/stderr, its own session), reading the master until the command is gone, and
rendering the bytes with a VT100 emulator (pyte) into the text a user would see at the
end (scrollback + screen).  The runner's progress bar is redrawn on a timer, so raw bytes
differ from run to run; the rendered text after it is cleared does not.
"""

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

try:
    import pyte
except ImportError:  # Debian's python3-pyte, when python3 is not Debian's own
    sys.path.append("/usr/lib/python3/dist-packages")
    import pyte

import bpfparse


def _child_setup():
    # new session (start_new_session) then make the slave (fd 0) the controlling tty
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run(cmd, cols, rows=40, env=None, cwd=None, timeout=120):
    """Returns (returncode, raw bytes, Root).  Raises subprocess.TimeoutExpired."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                         start_new_session=True, preexec_fn=_child_setup)
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                raise subprocess.TimeoutExpired(cmd, timeout)
            r, _w, _x = select.select([master], [], [], min(left, 1.0))
            if not r:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave fd is closed
                break
            if not data:
                break
            out += data
        rc = p.wait()
    finally:
        os.close(master)
    return rc, bytes(out), bpfparse.Root(p.pid, t0, time.monotonic_ns())


def render(data, cols, rows=40):
    """The text on the terminal after `data`: scrolled-off lines then the screen, each
    right-trimmed, trailing blank lines dropped."""
    screen = pyte.HistoryScreen(cols, rows, history=100000)
    stream = pyte.ByteStream(screen)
    stream.feed(data)
    lines = []
    for row in screen.history.top:
        lines.append("".join(row[x].data for x in range(cols)).rstrip())
    lines += [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).encode()
