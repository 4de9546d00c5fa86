#!/usr/bin/env python3
"""Runs the harness self-tests (selftest/test_*.py) and prints one line per test and a
final `N passed, N failed` line.  Exit 1 if anything failed or errored.  Skips count as
failures: a self-test that cannot run has not shown anything.
Usage: run.py [module …]   (default: every test_*.py here)"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def main(argv):
    loader = unittest.TestLoader()
    names = argv or sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    suite = unittest.TestSuite(loader.loadTestsFromName(n) for n in names)
    runner = unittest.TextTestRunner(resultclass=CountingResult, verbosity=2, stream=sys.stdout)
    res = runner.run(suite)
    failed = len(res.failures) + len(res.errors) + len(res.skipped) + len(res.unexpectedSuccesses)
    print(f"{res.passed} passed, {failed} failed")
    return 0 if failed == 0 and res.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
