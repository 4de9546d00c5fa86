"""run_e2e.judge fails a scenario run for each reason it should: a truth without run-start
(the runner never ran), any diff problem, a changed exit code, changed output; and passes a
run whose capture equals its truth."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import bpfparse  # noqa: E402
import events  # noqa: E402
import run_e2e  # noqa: E402
import scenarios  # noqa: E402
import synth  # noqa: E402


def proc(rc=0, out=b"", err=b""):
    return subprocess.CompletedProcess([], rc, out, err)


def captured_of(evs, pid=10):
    return bpfparse.Captured([(e["t_ns"], e["tid"], i, "shim", pid, e) for i, e in enumerate(evs)], {})


class JudgeTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.run = run_e2e.Run(scenarios.BY_NAME["basic-j1"], None, self.tmp.name)
        self.truth = synth.run_events()
        events.save(self.run.truth_path, self.truth)
        err = b"Nextest run ID 55459fda-13fe-406a-b4e3-0230fd52bb03\n        PASS [   0.010s] x\n"
        self.run.shim = (proc(0, b"", err), 10)
        self.run.plain = (proc(0, b"", err.replace(b"0.010s", b"0.012s")), 11)
        with open(self.run.version_log, "w") as f:
            f.write("nextest-version 0.9.143 source=binary pid=10 env=- binary=0.9.143 bounds=0.9.116..-\n")

    def tearDown(self):
        self.tmp.cleanup()

    def judge(self, cap):
        run_e2e.judge(self.run, captured_of(cap), "sim", False, "0.9.143")
        return "\n".join(self.run.problems)

    def test_equal_passes(self):
        self.assertEqual(self.judge(synth.clone(self.truth)), "")

    def test_missing_event_fails(self):
        self.assertIn("MISSING", self.judge(synth.clone(self.truth)[:-1]))

    def test_empty_truth_fails(self):
        events.save(self.run.truth_path, [])
        self.assertIn("truth has no run-start", self.judge([]))

    def test_exit_code_change_fails(self):
        self.run.shim = (proc(100, b"", self.run.shim[0].stderr), 10)
        self.assertIn("exit code with shim 100, without 0", self.judge(synth.clone(self.truth)))

    def test_output_change_fails(self):
        self.run.shim = (proc(0, b"extra\n", self.run.shim[0].stderr), 10)
        self.assertIn("stdout differs with the shim", self.judge(synth.clone(self.truth)))

    def test_other_process_events_ignored(self):
        cap = bpfparse.Captured([(e["t_ns"], e["tid"], i, "shim", 99, e)
                                 for i, e in enumerate(synth.clone(self.truth))], {})
        run_e2e.judge(self.run, cap, "sim", False, "0.9.143")
        self.assertIn("MISSING run-start", "\n".join(self.run.problems))


if __name__ == "__main__":
    unittest.main()

    def test_wrong_detected_version_fails(self):
        with open(self.run.version_log, "w") as f:
            f.write("nextest-version 0.9.106 source=binary pid=10 env=- binary=0.9.106 bounds=-..0.9.115\n")
        self.assertIn("library detected nextest 0.9.106", self.judge(synth.clone(self.truth)))

    def test_missing_detection_log_fails(self):
        os.remove(self.run.version_log)
        self.assertIn("library detected nextest None", self.judge(synth.clone(self.truth)))
