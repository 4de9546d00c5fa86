"""mask.py masks exactly the run-to-run noise it names and nothing else."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import mask  # noqa: E402


class MaskTests(unittest.TestCase):
    def test_each_mask(self):
        cases = [
            (b"Nextest run ID 55459fda-13fe-406a-b4e3-0230fd52bb03 with nextest profile: default",
             b"Nextest run ID <UUID> with nextest profile: default"),
            (b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[1m077a11e3-1496-4142-a5b5-ae204a01c0c2\x1b[0m",
             b"\x1b[32;1m Nextest run\x1b[0m ID \x1b[1m<UUID>\x1b[0m"),
            (b"        PASS [   0.012s] fx-basic basic::pass_quick", b"        PASS [<DUR>] fx-basic basic::pass_quick"),
            (b"     Summary [   1.234s] 30 tests run", b"     Summary [<DUR>] 30 tests run"),
            (b"    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.02s",
             b"    Finished `test` profile [unoptimized + debuginfo] target(s) in <DUR>"),
            (b"test result: ok. 1 passed; finished in 0.00s", b"test result: ok. 1 passed; finished in <DUR>"),
            (b'{"type":"test","event":"ok","exec_time":0.001234}', b'{"type":"test","event":"ok","exec_time":<DUR>}'),
            (b"thread 'fail_panic' (4748) panicked at", b"thread 'fail_panic' (<TID>) panicked at"),
            (b"env file /tmp/nextest-envAb12_z is bad", b"env file /tmp/nextest-env<TMP> is bad"),
            (b"killed (pid 1234)", b"killed (pid <PID>)"),
        ]
        for raw, want in cases:
            self.assertEqual(mask.mask(raw), want)

    def test_not_masked(self):
        for raw in [b"        SLOW [>   1.000s] fx-basic::timing slow_2500ms",   # k x period: exact
                    b"exit code 3", b"Starting 30 tests across 10 binaries (1024 tests skipped)",
                    b"hostile::dollar$sign$HOME", b"( 1/30)", b"thread 'x' panicked at",
                    b"pid 1234", b"55459fda13fe406ab4e30230fd52bb03"]:
            self.assertEqual(mask.mask(raw), raw, raw)

    def test_parallel_counter_only_in_sorted_mode(self):
        line = b"        PASS [   0.004s] ( 1/30) fx-basic basic::pass_prints"
        self.assertEqual(mask.mask(line), b"        PASS [<DUR>] ( 1/30) fx-basic basic::pass_prints")
        self.assertEqual(mask.mask(line, True), b"        PASS [<DUR>] (<I>/30) fx-basic basic::pass_prints")

    def test_stress_tag_and_line_set(self):
        a = (b"        PASS [   0.003s] [334] (1/1) fx-basic basic::pass_quick\n"
             b" Stress test iteration 2 (00:00:00/00:00:02 elapsed so far, 00:00:02 remaining)\n"
             b"     Summary [   2.002s] 334 stress run iterations: 334 passed\n")
        b = a.replace(b"334", b"436").replace(b"iteration 2", b"iteration 7")
        self.assertIsNotNone(mask.compare(a, b, "sorted-lines"))
        self.assertIsNone(mask.compare(a, b, "line-set"))
        self.assertIsNotNone(mask.compare(a, b + b"error: test run failed\n", "line-set"))
        s = b"        PASS [   0.004s] [2/3] (1/4) fx-basic basic::pass_quick"
        self.assertEqual(mask.mask(s, True), b"        PASS [<DUR>] [2/3] (<I>/4) fx-basic basic::pass_quick")

    def test_compare(self):
        a = b"PASS [   0.001s] a\nPASS [   0.002s] b\n"
        b = b"PASS [   0.003s] b\nPASS [   0.004s] a\n"
        self.assertIsNotNone(mask.compare(a, b, "exact"))
        self.assertIsNone(mask.compare(a, b, "sorted-lines"))
        self.assertIn("line 1", mask.compare(b"x\n", b"y\n", "exact"))
        self.assertIsNotNone(mask.compare(a, a + b"extra\n", "sorted-lines"))


if __name__ == "__main__":
    unittest.main()
