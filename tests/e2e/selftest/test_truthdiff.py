"""Self-tests of truthdiff.py on synthetic truth/capture pairs: identical lists pass, and
every kind of difference (missing, extra, changed field, key order, escaping, order, time
beyond tolerance, null vs 0, types) fails with a message that names it."""

import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import events  # noqa: E402
import synth  # noqa: E402
import truthdiff  # noqa: E402


def find(evs, probe, name_part):
    for e in evs:
        if e["probe"] == probe and name_part in e["args"][0]:
            return e
    raise AssertionError(f"no {probe} with {name_part}")


def edit_arg0(e, fn):
    obj = json.loads(e["arg0"])
    fn(obj["ok"])
    e["arg0"] = '{"ok":' + synth.serde(obj["ok"]) + "}"


class DiffTests(unittest.TestCase):
    def setUp(self):
        self.truth = synth.run_events()
        self.cap = synth.clone(self.truth)

    def diff(self):
        lines, counts = truthdiff.diff(self.truth, self.cap)
        return "\n".join(lines), counts

    def assertFails(self, *needles):
        text, counts = self.diff()
        self.assertTrue(text, "diff reported no problem")
        for n in needles:
            self.assertIn(n, text)
        return text, counts

    def test_identical_passes(self):
        text, counts = self.diff()
        self.assertEqual(text, "")
        self.assertEqual(counts["matched"], len(self.truth))

    def test_synthetic_events_are_valid(self):
        for e in self.truth:
            events.validate(e)

    def test_missing_event(self):
        victim = find(self.cap, "test-attempt-done", "pass_quick")
        self.cap.remove(victim)
        text, counts = self.assertFails("MISSING test-attempt-done [", "basic::pass_quick] #0")
        self.assertEqual(counts["missing"], 1)

    def test_missing_second_slow_event(self):
        slows = [e for e in self.cap if e["probe"] == "test-attempt-slow"]
        self.cap.remove(slows[1])
        self.assertFails("MISSING test-attempt-slow [", "slow_2500ms] #1")

    def test_extra_event(self):
        dup = synth.clone([find(self.cap, "test-attempt-slow", "slow_2500ms")])[0]
        self.cap.insert(self.cap.index(find(self.cap, "test-attempt-done", "slow_2500ms")), dup)
        text, counts = self.assertFails("EXTRA test-attempt-slow [", "slow_2500ms] #2")
        self.assertEqual(counts["extra"], 1)

    def test_changed_field(self):
        edit_arg0(find(self.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(exit_code=1))
        self.assertFails("DIFFERENT test-attempt-done", "arg0.ok.exit_code: truth 0 capture 1")

    def test_changed_string_field(self):
        edit_arg0(find(self.cap, "test-attempt-start", "pass_quick"),
                  lambda o: o.update(args=["--exact", "basic::pass_quick"]))
        self.assertFails("arg0.ok.args: length truth 3 capture 2")

    def test_changed_scalar_arg(self):
        e = find(self.cap, "test-attempt-done", "pass_quick")
        e["args"][3] = "fail"
        self.assertFails('arg4 result: truth "pass" capture "fail"')

    def test_changed_pid(self):
        e = find(self.cap, "test-attempt-start", "pass_quick")
        e["args"][3] += 1
        self.assertFails("arg4 pid: truth 301 capture 302")

    def test_changed_key_order(self):
        e = find(self.cap, "test-attempt-done", "pass_quick")
        obj = json.loads(e["arg0"])["ok"]
        keys = list(obj)
        keys[0], keys[1] = keys[1], keys[0]
        e["arg0"] = '{"ok":' + synth.serde({k: obj[k] for k in keys}) + "}"
        self.assertFails("key order differs")

    def test_missing_key(self):
        edit_arg0(find(self.cap, "test-attempt-done", "pass_quick"), lambda o: o.pop("stderr_len"))
        self.assertFails("keys differ: missing ['stderr_len']")

    def test_changed_escaping_slash(self):
        e = find(self.cap, "test-attempt-start", "hostile")
        self.assertIn("/", e["arg0"])
        e["arg0"] = e["arg0"].replace("/", "\\/")  # same JSON value, different bytes
        text, _ = self.assertFails("arg0 bytes differ at offset")
        self.assertNotIn("arg0.ok", text)  # the parsed values are equal

    def test_changed_escaping_unicode(self):
        e = find(self.cap, "test-attempt-start", "hostile")
        e["arg0"] = e["arg0"].replace("é", "\\u00e9")
        self.assertFails("arg0 bytes differ")

    def test_changed_escaping_control_case(self):
        # serde writes \u00xx with lowercase hex; an encoder writing uppercase must fail.
        e = find(self.cap, "test-attempt-start", "hostile")
        self.assertIn("\\u0001", e["arg0"])
        t = find(self.truth, "test-attempt-start", "hostile")
        t["arg0"] = t["arg0"].replace("\\u0001", "\\u001f")
        e["arg0"] = e["arg0"].replace("\\u0001", "\\u001F")
        text, _ = self.assertFails("arg0 bytes differ")
        self.assertNotIn("arg0.ok", text)

    def test_number_formatting(self):
        e = find(self.cap, "test-attempt-done", "pass_quick")
        e["arg0"] = e["arg0"].replace('"stdout_len":120', '"stdout_len":120.0')
        self.assertFails("arg0.ok.stdout_len: type differs", "arg0 bytes differ")

    def test_out_of_order_start_done(self):
        s = find(self.cap, "test-attempt-start", "pass_quick")
        d = find(self.cap, "test-attempt-done", "pass_quick")
        i, j = self.cap.index(s), self.cap.index(d)
        self.cap[i], self.cap[j] = d, s
        self.assertFails("ORDER capture: test-attempt [", "fired in order 'done start'")

    def test_slow_after_done(self):
        slow = find(self.cap, "test-attempt-slow", "slow_2500ms")
        self.cap.remove(slow)
        self.cap.insert(self.cap.index(find(self.cap, "test-attempt-done", "slow_2500ms")) + 1, slow)
        self.assertFails("fired in order 'start slow done slow'")

    def test_run_done_not_last(self):
        rd = self.cap.pop()
        self.cap.insert(len(self.cap) - 1, rd)
        self.assertFails("ORDER capture: run-done is event")

    def test_run_start_not_first(self):
        rs = self.cap.pop(0)
        self.cap.insert(1, rs)
        self.assertFails("ORDER capture: run-start is event 1")

    def test_setup_script_after_test_start(self):
        sd = find(self.cap, "setup-script-done", "env-ok")
        self.cap.remove(sd)
        self.cap.insert(self.cap.index(find(self.cap, "test-attempt-start", "pass_quick")) + 1, sd)
        self.assertFails("before a setup script finished")

    def test_time_beyond_tolerance(self):
        edit_arg0(find(self.cap, "test-attempt-done", "slow_2500ms"),
                  lambda o: o.update(duration_nanos=o["duration_nanos"] + 80_000_000))
        self.assertFails("arg0.ok.duration_nanos: truth 2501000000 capture 2581000000", "tolerance")

    def test_time_scalar_beyond_tolerance(self):
        e = find(self.cap, "test-attempt-done", "pass_quick")
        e["args"][4] += 30_000_000
        self.assertFails("arg5 duration_nanos: truth 5123456 capture 35123456")

    def test_time_within_tolerance_passes(self):
        e = find(self.cap, "test-attempt-done", "slow_2500ms")
        edit_arg0(e, lambda o: o.update(duration_nanos=o["duration_nanos"] + 40_000_000,
                                        time_to_close_fds_nanos=3_000_000))
        e["args"][4] += 40_000_000  # 40 ms < 20 ms + 2 % of 2.5 s
        text, _ = self.diff()
        self.assertEqual(text, "")

    def test_null_vs_zero(self):
        edit_arg0(find(self.cap, "test-attempt-done", "pass_quick"),
                  lambda o: o.update(time_to_close_fds_nanos=None))
        t = find(self.truth, "test-attempt-done", "pass_quick")
        edit_arg0(t, lambda o: o.update(time_to_close_fds_nanos=0))
        self.assertFails("arg0.ok.time_to_close_fds_nanos: null vs non-null")

    def test_null_vs_zero_plain_field(self):
        edit_arg0(find(self.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(exit_code=None))
        self.assertFails("arg0.ok.exit_code: null vs non-null: truth int 0 capture null null")

    def test_bool_vs_int(self):
        edit_arg0(find(self.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(leaked=0))
        self.assertFails("arg0.ok.leaked: type differs")

    def test_string_vs_int(self):
        edit_arg0(find(self.cap, "run-start", ""), lambda o: o.update(total_tests="3"))
        self.assertFails("arg0.ok.total_tests: type differs")

    def test_t_ns_far_off(self):
        find(self.cap, "test-attempt-start", "pass_quick")["t_ns"] += 1_000_000_000
        self.assertFails("t_ns: capture fired +1000.0 ms")

    def test_stress_bracket(self):
        t = 5_000_000_000
        sub = lambda probe, cur, tt: synth.ev(probe, tt, {"stress_current": cur}, [f"x:@stress-{cur}", cur])
        att = synth.attempt_events("fx-basic", "basic::pass_quick", t + 10, 400, stress=0)
        good = [sub("stress-sub-run-start", 0, t)] + att + [sub("stress-sub-run-done", 0, t + 99_000_000)]
        self.assertEqual(truthdiff.check_order(good, "x"), [])
        bad = [sub("stress-sub-run-start", 0, t), att[0], sub("stress-sub-run-done", 0, t + 1), att[1]]
        probs = truthdiff.check_order(bad, "capture")
        self.assertTrue(any("outside its sub-run" in p for p in probs), probs)

    def test_mask_times_ignores_strings(self):
        raw = '{"ok":{"test_name":"x\\"duration_nanos\\":5","duration_nanos":7}}'
        self.assertEqual(truthdiff.mask_times(raw),
                         '{"ok":{"test_name":"x\\"duration_nanos\\":5","duration_nanos":T}}')


class CliTests(unittest.TestCase):
    def run_cli(self, truth, cap):
        with tempfile.TemporaryDirectory() as d:
            tp, cp = os.path.join(d, "t.jsonl"), os.path.join(d, "c.jsonl")
            events.save(tp, truth)
            if isinstance(cap, str):
                with open(cp, "w") as f:
                    f.write(cap)
            else:
                events.save(cp, cap)
            return truthdiff.main([tp, cp])

    def test_exit_codes(self):
        truth = synth.run_events()
        self.assertEqual(self.run_cli(truth, synth.clone(truth)), 0)
        self.assertEqual(self.run_cli(truth, truth[:-1]), 1)
        self.assertEqual(self.run_cli(truth, "not json\n"), 2)
        self.assertEqual(self.run_cli(truth, '{"probe":"nope","t_ns":1,"tid":1,"arg0":"","args":[]}\n'), 2)


if __name__ == "__main__":
    unittest.main()


class DerivedSlotTests(unittest.TestCase):
    """nextest < 0.9.90: slot values are not compared one by one, but the rule is."""

    def setUp(self):
        self.truth = synth.run_events()
        # a valid assignment: every attempt its own slot
        for i, e in enumerate(x for x in self.truth if x["probe"] == "test-attempt-start"):
            edit_arg0(e, lambda ok, i=i: ok.update(global_slot=100 + i))
        self.cap = synth.clone(self.truth)
        self.starts = [e for e in self.cap if e["probe"] == "test-attempt-start"]

    def test_swapped_slots_pass_only_when_derived(self):
        s0 = self.starts[0]
        edit_arg0(s0, lambda ok: ok.update(global_slot=ok["global_slot"] + 1000))
        lines, _ = truthdiff.diff(self.truth, self.cap)
        self.assertIn("global_slot", "\n".join(lines))
        lines, counts = truthdiff.diff(self.truth, self.cap, derived_slots=True)
        self.assertEqual(lines, [], "\n".join(lines))

    def test_null_vs_slot_still_fails_when_derived(self):
        edit_arg0(self.starts[0], lambda ok: ok.update(group_slot=3))
        lines, _ = truthdiff.diff(self.truth, self.cap, derived_slots=True)
        self.assertTrue(any("group_slot" in x for x in lines), "\n".join(lines))

    def test_overlapping_attempts_sharing_a_slot_fail(self):
        spans = {}
        for e in self.cap:
            if e["probe"] in ("test-attempt-start", "test-attempt-done"):
                spans.setdefault(e["args"][0], {})[e["probe"]] = e["t_ns"]
        ids = [k for k, v in spans.items() if len(v) == 2]
        self.assertGreaterEqual(len(ids), 2)
        a, b = ids[0], ids[1]
        # make b run inside a's span, with a's slot
        for e in self.cap:
            if e["args"] and e["args"][0] == b:
                e["t_ns"] = spans[a]["test-attempt-start"] + (1 if e["probe"] == "test-attempt-start" else 2)
        slot_a = json.loads(next(e for e in self.starts if e["args"][0] == a)["arg0"])["ok"]["global_slot"]
        edit_arg0(next(e for e in self.starts if e["args"][0] == b),
                  lambda ok: ok.update(global_slot=slot_a))
        lines = truthdiff.check_slots(self.cap)
        self.assertTrue(any(x.startswith("SLOTS") for x in lines), lines)
