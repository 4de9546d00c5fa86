"""bpfsession: one bpftrace program running around a command, with a READY handshake.

Owns: the tracer session of the children and extras areas.  The program gets a BEGIN
block printing READY; bpftrace runs BEGIN once every probe is attached, so the command
under test starts only after `ready` is true (a session that never attached is reported
by its caller as a failed check, never passed over).  stop() sends SIGINT to this
bpftrace (by its pid), waits, and returns everything it printed.
"""
import os
import re
import signal
import subprocess
import tempfile
import time


class BpftraceSession:
    def __init__(self, program, strlen=None,
                 timeout=int(os.environ.get("NX_BPFTRACE_READY_TIMEOUT_S", "60"))):
        self.f = tempfile.NamedTemporaryFile("w", suffix=".bt", delete=False)
        self.f.write('BEGIN { printf("READY\\n"); }\n' + program)
        self.f.close()
        self.out = tempfile.NamedTemporaryFile("w+b", suffix=".out", delete=False)
        env = dict(os.environ)
        if strlen is not None:
            env["BPFTRACE_STRLEN"] = str(strlen)
        env.pop("LD_PRELOAD", None)
        self.p = subprocess.Popen(["bpftrace", self.f.name], stdout=self.out,
                                  stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        self.ready = False
        while time.time() < deadline and self.p.poll() is None:
            if re.search(rb"^READY$", self._text(), re.M):
                self.ready = True
                break
            time.sleep(0.05)
        why = "bpftrace exited" if self.p.poll() is not None else f"no READY within {timeout}s"
        self.why = "" if self.ready else f"{why}: {self._text()[-300:].decode('utf-8', 'replace')!r}"

    def _text(self):
        with open(self.out.name, "rb") as f:
            return f.read()

    def stop(self, settle=0.5):
        time.sleep(settle)
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        text = self._text().decode("utf-8", "replace")
        os.unlink(self.f.name)
        os.unlink(self.out.name)
        return text
