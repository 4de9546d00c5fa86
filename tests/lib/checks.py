"""checks: named checks that all run and are all reported, then fail together.

Owns: the one collector of check results the harnesses share.  A scenario that makes
many checks on one expensive run (one bpftrace session, one runner run) records each with
`check(name, ok, detail)` (or `that(ok, what)`): every check runs, each prints a PASS or
FAIL line, and the scenario fails with the list of the failed ones.  Under pytest the
`checks` fixture (tests/conftest.py) fails the test after its body when any check failed;
without pytest (a guest that only has python3) `exit_code()` prints the one summary line.
No pytest import here: the harnesses' own modules stay runnable by a bare python3.
"""


class Checks:
    def __init__(self, echo=True):
        self.echo = echo
        self.results = []           # [(name, ok, detail)]

    def check(self, name, ok, detail=""):
        """Records one named check; returns ok (truthy or not) so callers can branch."""
        ok = bool(ok)
        self.results.append((name, ok, detail))
        if self.echo:
            print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""),
                  flush=True)
        return ok

    def that(self, ok, what):
        """check() with the condition first (the order of an assert)."""
        return self.check(what, ok)

    @property
    def failed(self):
        return [(n, d) for n, ok, d in self.results if not ok]

    def failure_report(self):
        lines = [f"{len(self.failed)} of {len(self.results)} checks failed:"]
        for name, detail in self.failed:
            lines.append(f"  FAIL {name}" + (f": {detail}" if detail else ""))
        return "\n".join(lines)

    def exit_code(self):
        """For a run without pytest: the summary line, and 1 if any check failed."""
        n_failed = len(self.failed)
        print(f"{len(self.results) - n_failed} passed, {n_failed} failed")
        return 1 if n_failed or not self.results else 0
