"""run_e2e.judge fails a scenario run for each reason it should: a truth without run-start
(the runner never ran), any diff problem, a changed exit code, changed output; and passes a
run whose capture equals its truth."""

import os
import subprocess

import pytest

import bpfparse
import events
import run_e2e
import scenarios
import synth


def proc(rc=0, out=b"", err=b""):
    return subprocess.CompletedProcess([], rc, out, err)


def captured_of(evs, pid=10):
    return bpfparse.Captured([(e["t_ns"], e["tid"], i, "shim", pid, e) for i, e in enumerate(evs)], {})


class Judged:
    """A basic-j1 run whose truth is synth.run_events() and whose two runner runs printed
    the same (but for a duration); judge(cap) is what run_e2e.judge says of capture cap."""

    def __init__(self, out_dir):
        self.run = run_e2e.Run(scenarios.BY_NAME["basic-j1"], None, out_dir)
        self.truth = synth.run_events()
        events.save(self.run.truth_path, self.truth)
        err = b"Nextest run ID 55459fda-13fe-406a-b4e3-0230fd52bb03\n        PASS [   0.010s] x\n"
        self.run.shim = (proc(0, b"", err), 10)
        self.run.plain = (proc(0, b"", err.replace(b"0.010s", b"0.012s")), 11)
        with open(self.run.version_log, "w") as f:
            f.write("nextest-version 0.9.143 source=binary pid=10 env=- binary=0.9.143 bounds=0.9.116..-\n")

    def judge(self, cap):
        run_e2e.judge(self.run, captured_of(cap), "sim", False, "0.9.143")
        return "\n".join(self.run.problems)


@pytest.fixture
def j(tmp_path):
    return Judged(str(tmp_path))


def test_equal_passes(j):
    assert j.judge(synth.clone(j.truth)) == ""


def test_missing_event_fails(j):
    assert "MISSING" in j.judge(synth.clone(j.truth)[:-1])


def test_empty_truth_fails(j):
    events.save(j.run.truth_path, [])
    assert "truth has no run-start" in j.judge([])


def test_exit_code_change_fails(j):
    j.run.shim = (proc(100, b"", j.run.shim[0].stderr), 10)
    assert "exit code with shim 100, without 0" in j.judge(synth.clone(j.truth))


def test_output_change_fails(j):
    j.run.shim = (proc(0, b"extra\n", j.run.shim[0].stderr), 10)
    assert "stdout differs with the shim" in j.judge(synth.clone(j.truth))


def test_other_process_events_ignored(j):
    cap = bpfparse.Captured([(e["t_ns"], e["tid"], i, "shim", 99, e)
                             for i, e in enumerate(synth.clone(j.truth))], {})
    run_e2e.judge(j.run, cap, "sim", False, "0.9.143")
    assert "MISSING run-start" in "\n".join(j.run.problems)


def test_wrong_detected_version_fails(j):
    with open(j.run.version_log, "w") as f:
        f.write("nextest-version 0.9.106 source=binary pid=10 env=- binary=0.9.106 bounds=-..0.9.115\n")
    assert "library detected nextest 0.9.106" in j.judge(synth.clone(j.truth))


def test_missing_detection_log_fails(j):
    os.remove(j.run.version_log)
    assert "library detected nextest None" in j.judge(synth.clone(j.truth))
